"""Sending a finished message: SMTP (smtplib) or Amazon SES (``SendRawEmail``).

Both transports send :attr:`handlers.outbound.OutboundMessage.data`, the same
bytes the handler stores, so the stored copy is exactly what left.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from handlers.config import SesConfig, SmtpConfig, read_secret
from handlers.outbound import OutboundMessage
from pipeline.errors import HandlerError

if TYPE_CHECKING:
    from mypy_boto3_ses import SESClient


class NotSentError(HandlerError):
    """The provider refused the message before taking it: certainly nothing was sent.

    Failures that leave it unknown whether the message left (a connection dropped
    during DATA, a timeout waiting for the reply) raise plain :class:`HandlerError`.
    This class itself means "try again later" (4xx, no connection, a login refused).
    """

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class PermanentSendError(NotSentError):
    """A 5xx refusal of this message or its recipient (RCPT or DATA): retrying cannot help.

    A refused sender (MAIL FROM) or login is not permanent for the message: those say
    the configuration or the server is wrong for every message, so they stay retryable.
    """


@dataclass(frozen=True, slots=True)
class SendResult:
    """What the provider said: our Message-ID, its id for the message, its reply text."""

    message_id: str
    provider_id: str
    reply: str
    code: int | None = None


class MailTransport(Protocol):
    """Hands one message to a mail provider; raises :class:`HandlerError` on failure."""

    name: str

    def send(self, msg: OutboundMessage) -> SendResult:
        """Send ``msg`` to its recipients."""
        ...


class _DataReplyMixin:
    """Keeps the server's reply to the end of DATA, which ``sendmail`` discards.

    That reply (e.g. ``250 2.0.0 Ok: queued as 4XyZ``) is the provider's receipt and
    its queue id, the evidence that the server accepted responsibility for the message.
    """

    last_data_reply: tuple[int, bytes] | None = None

    def data(self, msg: Any) -> tuple[int, bytes]:
        reply: tuple[int, bytes] = super().data(msg)  # type: ignore[misc]
        self.last_data_reply = reply
        return reply


class _SMTP(_DataReplyMixin, smtplib.SMTP):
    pass


class _SMTPSSL(_DataReplyMixin, smtplib.SMTP_SSL):
    pass


class SmtpTransport:
    """SMTP submission with implicit TLS, STARTTLS, or (only when allowed) plain text."""

    name = "smtp"

    def __init__(self, config: SmtpConfig) -> None:
        """Read the password now so a missing secret fails at start-up, not per message."""
        self._config = config
        self._password = (
            read_secret(config.password_env, config.password_file, "SMTP password")
            if config.username is not None
            else None
        )

    def _context(self) -> ssl.SSLContext:
        cafile = str(self._config.ca_file) if self._config.ca_file is not None else None
        # Certificate and host name are always verified; ca_file only adds a private CA.
        return ssl.create_default_context(cafile=cafile)

    def _connect(self) -> _SMTP | _SMTPSSL:
        cfg = self._config
        if cfg.tls == "implicit":
            return _SMTPSSL(
                cfg.host, cfg.port, timeout=cfg.timeout_seconds, context=self._context()
            )
        client = _SMTP(cfg.host, cfg.port, timeout=cfg.timeout_seconds)
        if cfg.tls == "starttls":
            client.ehlo()
            if not client.has_extn("starttls"):
                client.close()
                raise HandlerError(
                    f"SMTP server {cfg.host}:{cfg.port} does not offer STARTTLS; "
                    "refusing to send in clear text (fix the server or the tls setting)"
                )
            client.starttls(context=self._context())
            client.ehlo()
        return client

    def send(self, msg: OutboundMessage) -> SendResult:
        """Send ``msg``; return the DATA reply code and text as the provider receipt."""
        cfg = self._config
        where = f"SMTP server {cfg.host}:{cfg.port}"
        data = msg.data
        recipients = list(msg.recipients)
        if not recipients:
            raise HandlerError("the message has no recipients; nothing was sent")
        envelope_from = cfg.envelope_from if cfg.envelope_from is not None else msg.envelope_from
        try:
            client = self._connect()
        except HandlerError as exc:
            raise NotSentError(str(exc)) from exc
        except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
            raise NotSentError(
                f"cannot connect to {where}: {exc}; check host, port, tls and ca_file"
            ) from exc
        try:
            if cfg.username is not None and self._password is not None:
                client.login(cfg.username, self._password)
            refused = client.sendmail(envelope_from, recipients, data)
            reply = client.last_data_reply
        except smtplib.SMTPAuthenticationError as exc:
            raise NotSentError(
                f"{where} refused the login for {cfg.username!r} ({exc.smtp_code}); "
                "check the username and password secret"
            ) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _ in exc.recipients.values()})
            error = PermanentSendError if all(500 <= c < 600 for c in codes) else NotSentError
            raise error(f"{where} refused every recipient (codes {codes})", codes[0]) from exc
        except smtplib.SMTPDataError as exc:
            error = PermanentSendError if 500 <= exc.smtp_code < 600 else NotSentError
            raise error(
                f"{where} refused the message at DATA ({exc.smtp_code})", exc.smtp_code
            ) from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPNotSupportedError) as exc:
            # A definite refusal reply: the server did not take the message.
            raise NotSentError(f"{where} refused the message: {exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            # Dropped connection or timeout: the message may or may not have been queued.
            raise HandlerError(
                f"sending through {where} failed and it is unknown whether the server "
                f"queued the message: {exc}"
            ) from exc
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()
        if reply is None:
            raise HandlerError(f"{where} gave no reply to DATA; the message may not be queued")
        code, text = reply
        reply_text = text.decode("utf-8", "replace")
        if refused:
            # Some recipients took the message, so it was sent; keep who was refused.
            codes = sorted({c for c, _ in refused.values()})
            reply_text += f" (refused {len(refused)} recipient(s), codes {codes})"
        return SendResult(
            message_id=msg.message_id,
            provider_id=reply_text,
            reply=f"{code} {reply_text}",
            code=code,
        )


class SesTransport:
    """Amazon SES ``SendRawEmail``; the SES MessageId is the provider id."""

    name = "ses"

    def __init__(self, config: SesConfig, client: SESClient | None = None) -> None:
        """Use ``client`` if given, else a boto3 SES client for the configured region."""
        if client is None:
            import boto3

            client = boto3.client(
                "ses", region_name=config.region, endpoint_url=config.endpoint_url
            )
        self._client = client
        self._config = config

    def send(self, msg: OutboundMessage) -> SendResult:
        """Send ``msg`` as raw MIME."""
        from botocore.exceptions import BotoCoreError, ClientError

        kwargs: dict[str, Any] = {
            "Source": msg.sender,
            "Destinations": list(msg.recipients),
            "RawMessage": {"Data": msg.data},
        }
        if self._config.configuration_set:
            kwargs["ConfigurationSetName"] = self._config.configuration_set
        try:
            response = self._client.send_raw_email(**kwargs)
        except ClientError as exc:
            # SendRawEmail is one request: an error response means SES took nothing.
            error = exc.response.get("Error", {})
            raise NotSentError(
                f"SES ({self._config.region}) refused the message: {error.get('Code')} "
                f"{error.get('Message')}; check that the From identity is verified"
            ) from exc
        except BotoCoreError as exc:
            raise HandlerError(f"cannot reach SES in {self._config.region}: {exc}") from exc
        ses_id = response["MessageId"]
        return SendResult(message_id=msg.message_id, provider_id=ses_id, reply=ses_id)


def build_transport(config: SmtpConfig | SesConfig) -> MailTransport:
    """The transport for a configuration."""
    if isinstance(config, SmtpConfig):
        return SmtpTransport(config)
    return SesTransport(config)
