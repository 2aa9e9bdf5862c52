"""Configuration: pydantic models, loaded from YAML with line numbers in every error.

Relative paths are resolved against the directory of the config file, so a
scheduled job behaves the same whatever its working directory. Secrets are
never read from the YAML: options ending in ``_env`` or ``_file`` name where
they are.
"""

from __future__ import annotations

import os
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from handlers.config import AckConfig, EscalationConfig
from pipeline.archive.people import Role
from pipeline.attachments.policy import AttachmentPolicy
from pipeline.classify.classifier import ClassifyPolicy
from pipeline.classify.recogniser import Recogniser, load_recogniser
from pipeline.classify.rules import EscalationRule, RuleSet, load_default_rules
from pipeline.emit.config import EmitConfig, JsonlSinkConfig
from pipeline.errors import CheckpointError, ConfigError
from pipeline.ledger.checkpoint import VerifierKey

DEFAULT_CONFIG = "config.yaml"
_SECRET_WORDS = ("password", "secret", "token", "private_key")


class Model(BaseModel):
    """Base for config models: immutable, unknown keys refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class LocalStorageConfig(Model):
    """Objects as files; the embedded default."""

    backend: Literal["local"] = "local"
    path: Path = Path("var/store")
    fsync: bool = True
    retain_days: int | None = Field(default=None, ge=1)


class ObjectLockConfig(Model):
    """S3 Object Lock applied to every object written."""

    mode: Literal["COMPLIANCE", "GOVERNANCE"] = "COMPLIANCE"
    retain_days: int = Field(default=2557, ge=1)  # 7 years (SEC 17a-4 horizons are 3-6)


class S3StorageConfig(Model):
    """Any S3-compatible endpoint; credentials come from the usual boto3 chain."""

    backend: Literal["s3"]
    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    addressing_style: Literal["auto", "path", "virtual"] = "auto"
    checksum: Literal["sha256", "md5"] = "sha256"
    retry_mode: Literal["standard", "adaptive"] = "standard"
    max_attempts: int = Field(default=8, ge=1, le=20)
    object_lock: ObjectLockConfig | None = None
    sse_kms_key_id: str | None = None
    max_pool_connections: int = Field(default=16, ge=1, le=256)
    # Ceph RGW 16 ignores If-None-Match: * on versioned (Object Lock) buckets; the oldest
    # version of a key is then the object (see pipeline.storage.s3).
    first_version_wins: bool = False


StorageConfig = Annotated[LocalStorageConfig | S3StorageConfig, Field(discriminator="backend")]


def _verifier_key_text(text: str) -> str:
    # Checked when the config loads, so a mistyped key is named with its file and line
    # rather than failing every later verification without saying which key.
    try:
        VerifierKey.from_text(text)
    except CheckpointError as exc:
        raise ValueError(f"{text!r}: {exc}") from exc
    return text


class SigningConfig(Model):
    """Where the Ed25519 checkpoint signing key is, and which other keys to trust."""

    key_file: Path | None = Path("var/keys/ledger.key")
    key_env: str | None = "MAILLEDGER_SIGNING_KEY"
    verifier_keys: list[Annotated[str, AfterValidator(_verifier_key_text)]] = Field(
        default_factory=list
    )
    # A worker's own batch-signing key, certified by the log key (keygen --writer), so
    # workers can append without holding the key that signs checkpoints.
    writer_key_file: Path | None = None
    writer_key_env: str | None = None


class OAuth2Config(Model):
    """XOAUTH2 access token: from a command, or a client-credentials flow."""

    token_command: list[str] | None = None
    token_url: str | None = None
    client_id: str | None = None
    client_secret_env: str | None = None
    client_secret_file: Path | None = None
    scope: str | None = None


class AfterRecordConfig(Model):
    """What to do on the server once a message is durably recorded. Mail is never deleted."""

    action: Literal["none", "flag", "move"] = "none"
    flag: str = "$Recorded"
    folder: str = "Processed"


class MailboxConfig(Model):
    """One IMAP account and the folders to read."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    host: str
    port: int = Field(default=993, ge=1, le=65535)
    tls: Literal["implicit", "starttls", "none"] = "implicit"
    allow_plaintext: bool = False
    ca_file: Path | None = None
    username: str
    auth: Literal["password", "xoauth2"] = "password"
    password_env: str | None = None
    password_file: Path | None = None
    oauth2: OAuth2Config | None = None
    folders: list[str] = Field(default_factory=lambda: ["INBOX"], min_length=1)
    direction: Literal["inbound", "outbound"] = "inbound"
    after_record: AfterRecordConfig = AfterRecordConfig()
    batch_messages: int = Field(default=200, ge=1, le=5000)
    batch_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    timeout_seconds: float = Field(default=60.0, gt=0)

    @model_validator(mode="after")
    def _plaintext_needs_consent(self) -> MailboxConfig:
        if self.tls == "none" and not self.allow_plaintext:
            raise ValueError(
                "tls: none sends the password in clear text; set allow_plaintext: true"
                " only for a server on this machine or a trusted network"
            )
        if self.auth == "password" and not (self.password_env or self.password_file):
            raise ValueError("auth: password needs password_env or password_file")
        if self.auth == "xoauth2" and self.oauth2 is None:
            raise ValueError("auth: xoauth2 needs an oauth2 section")
        return self


class MetricsConfig(Model):
    """Prometheus metrics: a node-exporter textfile for one-shot runs, /metrics for ``run``."""

    textfile: Path | None = Path("var/metrics/mailledger.prom")
    listen_host: str = "127.0.0.1"
    listen_port: int = Field(default=9464, ge=0, le=65535)


class AssemblyQueueConfig(Model):
    """An SQS queue that carries sealed batches to ``mailledger assemble`` workers."""

    queue_url: str = Field(min_length=1)
    region: str | None = None
    endpoint_url: str | None = None
    """Override of the service endpoint (a local emulator or a VPC endpoint)."""


class OidcConfig(Model):
    """Sign-in through the organisation's OpenID Connect provider (Entra ID, Okta, Google).

    ``issuer`` is the provider's issuer URL; its discovery document
    (``/.well-known/openid-configuration``) gives the endpoints and signing keys. The
    client secret comes from ``client_secret_env`` or ``client_secret_file``. A person's
    roles come from the ``groups_claim`` of their ID token through ``role_groups``
    (IdP group -> roles); anyone whose groups map to no role is refused. The account name
    is the ``username_claim`` (lower-cased), which must be an address in one of
    ``allowed_domains`` when that list is not empty.
    """

    issuer: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    client_secret_env: str | None = None
    client_secret_file: Path | None = None
    scopes: list[str] = Field(default_factory=lambda: ["openid", "email", "profile"])
    username_claim: str = "email"
    groups_claim: str = "groups"
    role_groups: dict[str, list[Role]] = Field(min_length=1)
    allowed_domains: list[str] = Field(default_factory=list)
    disable_local_accounts: bool = False
    label: str = Field(default="SSO", min_length=1, max_length=40)
    # the callback URL registered at the provider; default: this app's own address
    redirect_uri: str | None = None
    timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    @model_validator(mode="after")
    def _checked(self) -> OidcConfig:
        if not (self.client_secret_env or self.client_secret_file):
            raise ValueError("oidc needs client_secret_env or client_secret_file")
        if "openid" not in self.scopes:
            raise ValueError("oidc scopes must include openid")
        parts = urlsplit(self.issuer)
        loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            raise ValueError(
                "oidc issuer must be an https URL (http only for a provider on this machine)"
            )
        return self

    @property
    def domains(self) -> frozenset[str]:
        """The allowed e-mail domains, lower-case, without a leading ``@``."""
        return frozenset(d.strip().lower().lstrip("@") for d in self.allowed_domains)


class WebConfig(Model):
    """The records web app (``mailledger serve``).

    Serve TLS itself (``tls_cert_file``/``tls_key_file``) or sit behind a proxy that
    terminates TLS; ``trusted_proxies`` is how many proxy hops' ``X-Forwarded-*``
    headers to believe (0: none), and only on requests whose peer is one of
    ``proxy_addresses`` (anyone else could write those headers). Cookies are always
    ``Secure``: browsers accept them on ``https`` and on ``http://localhost``/``127.0.0.1``
    only. ``oidc`` adds sign-in through the organisation's OpenID Connect provider.
    """

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    trusted_proxies: int = Field(default=0, ge=0, le=5)
    proxy_addresses: list[IPv4Network | IPv6Network] = Field(default_factory=list)
    workers: int = Field(default=2, ge=1, le=64)
    secret_key_file: Path | None = None  # default: web-secret.key in state_dir, made once
    session_idle_minutes: int = Field(default=30, ge=1, le=720)
    session_max_hours: int = Field(default=12, ge=1, le=24)
    view_reason_required: bool = True
    sign_in_limit: str = "5 per minute;30 per hour"
    page_size: int = Field(default=50, ge=5, le=500)
    oidc: OidcConfig | None = None

    @model_validator(mode="after")
    def _proxies_have_addresses(self) -> WebConfig:
        if self.trusted_proxies and not self.proxy_addresses:
            raise ValueError(
                "trusted_proxies needs proxy_addresses: the addresses or networks the proxy"
                " connects from (X-Forwarded-* headers are believed from those only)"
            )
        return self


class WorkerConfig(Model):
    """Settings of ``poll`` and ``run``."""

    lease_seconds: int = Field(default=900, ge=10)
    idle_seconds: int = Field(default=300, ge=10, le=1740)  # RFC 2177: re-issue IDLE within 29 min
    # Set: ``run`` asks each mailbox with NOOP this often instead of waiting in IDLE, for
    # servers that report new mail to IDLE late (Dovecot: 0.5 s after it arrives).
    noop_seconds: float | None = Field(default=None, ge=0.05, le=60)
    poll_interval_seconds: int = Field(default=60, ge=1)
    parse_workers: int = Field(default=0, ge=0, le=64)  # 0: one per core
    dispatch_after_poll: bool = True
    # None: poll and run assemble right behind sealing, in their own worker processes.
    # Set: they only seal, and announce each sealed batch on this queue.
    assembly_queue: AssemblyQueueConfig | None = None


class ClassificationConfig(Model):
    """Escalation rules, categories, account-number pattern and regulatory clocks."""

    use_default_rules: bool = True
    rules: list[EscalationRule] = Field(default_factory=list)
    policy: ClassifyPolicy = ClassifyPolicy()

    def rule_set(self) -> RuleSet:
        """The shipped rule pack (unless turned off) plus the configured rules.

        A configured rule with the name of a shipped one replaces it.
        """
        own = {rule.name: rule for rule in self.rules}
        shipped = load_default_rules().rules if self.use_default_rules else ()
        merged = [own.pop(rule.name, rule) for rule in shipped]
        return RuleSet(rules=(*merged, *own.values()))

    def recogniser(self) -> Recogniser | None:
        """The shipped statistical recogniser, or None when the policy turns it off
        (read here, with the rule packs, so classification itself does no I/O)."""
        return load_recogniser() if self.policy.recogniser else None


class RetentionConfig(Model):
    """Floors that protect records from early disposal, whatever the command line says."""

    # FINRA 4511 keeps books and records six years (6 x 365 days; storage retention,
    # when set, is checked on top of this for every object).
    min_dispose_days: int = Field(default=2190, ge=0)


class FilesConfig(Model):
    """Permissions of the files and folders mailledger creates (exports, raw dumps, state,
    outbox, metrics, local store). Owner-only by default: they hold personal data."""

    file_mode: int = Field(default=0o600, ge=0, le=0o777)
    dir_mode: int = Field(default=0o700, ge=0, le=0o777)

    def umask(self) -> int:
        """The process umask under which new files get at most ``file_mode`` and new
        folders at most ``dir_mode`` (exactly those when the file bits are a subset of
        the folder bits, as in every sensible pair)."""
        return 0o777 & ~(self.file_mode | self.dir_mode)

    @field_validator("file_mode", "dir_mode", mode="before")
    @classmethod
    def _octal_text(cls, value: object) -> object:
        # Text ("0640", "0o640") is read as octal. Unquoted numbers never reach here from a
        # config file (see _unquoted_modes); an int is a mode given from Python.
        if isinstance(value, str):
            digits = value.strip().lower().removeprefix("0o")
            if digits.isdigit():
                return int(digits, 8)
        return value


class LoggingConfig(Model):
    """Log level; the format follows the terminal (pretty) or not (JSON lines)."""

    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"


class WitnessS3Config(Model):
    """An S3 Object Lock bucket (or a prefix of one) that keeps a copy of every checkpoint.

    Give it credentials of its own (``access_key_id_env``/``secret_access_key_env`` name
    environment variables) that may put objects with retention but not delete them or
    bypass governance; without them the boto3 chain's credentials are used, which is
    only as safe as the bucket policy that keeps those from deleting.
    """

    bucket: str = Field(min_length=3)
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    addressing_style: Literal["auto", "path", "virtual"] = "auto"
    checksum: Literal["sha256", "md5"] = "sha256"
    max_attempts: int = Field(default=8, ge=1, le=20)
    # Required, not defaulted to None: a witness the writer can delete from proves nothing.
    object_lock: ObjectLockConfig
    first_version_wins: bool = False  # Ceph RGW 16, as for the store
    access_key_id_env: str | None = None
    secret_access_key_env: str | None = None

    @model_validator(mode="after")
    def _both_credentials(self) -> WitnessS3Config:
        if (self.access_key_id_env is None) != (self.secret_access_key_env is None):
            raise ValueError("set both access_key_id_env and secret_access_key_env, or neither")
        return self


class TlogWitnessConfig(Model):
    """An external witness speaking C2SP tlog-witness, which ``mailledger checkpoint`` asks
    to cosign each checkpoint (it refuses one that does not extend what it cosigned)."""

    url: str = Field(pattern=r"^https?://\S+$")  # the submission prefix
    key: str = Field(min_length=1)  # its cosigner vkey text (type 0x04), from its operator
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)


class LedgerConfig(Model):
    """Where signed checkpoints are also kept, out of the writer's reach."""

    # A folder the ledger's writers can create files in but not delete or replace (another
    # volume, a WORM mount): every checkpoint signed is also written there, and verify
    # compares the ledger with the newest one, so a cut tail shows without a saved note.
    witness_dir: Path | None = None
    # The same on S3 with Object Lock: every checkpoint is put create-only with retention.
    witness_s3: WitnessS3Config | None = None
    # External witnesses that cosign the checkpoints `mailledger checkpoint` hands them.
    tlog_witnesses: list[TlogWitnessConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_witness(self) -> LedgerConfig:
        if self.witness_dir is not None and self.witness_s3 is not None:
            raise ValueError("set witness_dir or witness_s3, not both")
        return self


class Config(Model):
    """The whole configuration."""

    origin: str = Field(default="mailledger.example/ledger", pattern=r"^[^\s+]+$")
    actor: str | None = None
    state_dir: Path = Path("var/state")
    storage: StorageConfig = LocalStorageConfig()
    signing: SigningConfig = SigningConfig()
    ledger: LedgerConfig = LedgerConfig()
    mailboxes: list[MailboxConfig] = Field(default_factory=list)
    worker: WorkerConfig = WorkerConfig()
    attachments: AttachmentPolicy = AttachmentPolicy()
    classification: ClassificationConfig = ClassificationConfig()
    events: EmitConfig = EmitConfig(sinks=(JsonlSinkConfig(path=Path("var/outbox/events.jsonl")),))
    acknowledgment: AckConfig | None = None
    escalation: EscalationConfig | None = None
    metrics: MetricsConfig = MetricsConfig()
    logging: LoggingConfig = LoggingConfig()
    retention: RetentionConfig = RetentionConfig()
    files: FilesConfig = FilesConfig()
    web: WebConfig = WebConfig()
    source_path: Path | None = Field(default=None, exclude=True)

    def mailbox(self, name: str) -> MailboxConfig:
        """The mailbox called ``name``."""
        for mailbox in self.mailboxes:
            if mailbox.name == name:
                return mailbox
        raise ConfigError(f"no mailbox named {name!r} in {self.source_path or 'the config'}")


def config_path(explicit: str | None) -> Path:
    """``--config`` if given, else ``$MAILLEDGER_CONFIG``, else ``./config.yaml``."""
    return Path(explicit or os.environ.get("MAILLEDGER_CONFIG") or DEFAULT_CONFIG)


def _line_index(
    node: yaml.Node, path: tuple[str | int, ...], out: dict[tuple[str | int, ...], int]
) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[(*path, key)] = key_node.start_mark.line + 1
            _line_index(value_node, (*path, key), out)
            out[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_index(item, (*path, index), out)


def _resolve_paths(value: Any, base: Path) -> Any:
    if isinstance(value, BaseModel):
        updates = {}
        for name in type(value).model_fields:
            current = getattr(value, name)
            resolved = _resolve_paths(current, base)
            if resolved is not current:
                updates[name] = resolved
        return value.model_copy(update=updates) if updates else value
    if isinstance(value, Path) and not value.is_absolute():
        return base / value
    if isinstance(value, list | tuple):
        items = [_resolve_paths(v, base) for v in value]
        if not any(a is not b for a, b in zip(items, value, strict=True)):
            return value
        return type(value)(items)
    return value


def _literal_secret_keys(data: Any, path: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{path}.{key}" if path else str(key)
            lowered = str(key).lower()
            if any(w in lowered for w in _SECRET_WORDS) and not lowered.endswith(
                ("_env", "_file", "_command", "_url", "_keys")
            ):
                found.append(here)
            found.extend(_literal_secret_keys(value, here))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_literal_secret_keys(value, f"{path}[{index}]"))
    return found


_MODE_KEYS = ("file_mode", "dir_mode")


def _unquoted_modes(node: yaml.Node | None) -> list[tuple[str, int, str]]:
    """``files.file_mode``/``files.dir_mode`` written as plain YAML numbers: (key, line, text).

    A plain number is ambiguous: YAML 1.1 reads 0640 as octal, but 640 or 400 as decimal
    (400 is 0o620) and YAML 1.2 reads every one of them as decimal; a permission is only
    unambiguous quoted ("0640").
    """
    if not isinstance(node, yaml.MappingNode):
        return []
    found = []
    for key_node, value_node in node.value:
        if key_node.value != "files" or not isinstance(value_node, yaml.MappingNode):
            continue
        for mode_key, mode_value in value_node.value:
            if (
                mode_key.value in _MODE_KEYS
                and isinstance(mode_value, yaml.ScalarNode)
                and mode_value.style is None
                and mode_value.tag == "tag:yaml.org,2002:int"
            ):
                line = mode_key.start_mark.line + 1
                found.append((f"files.{mode_key.value}", line, str(mode_value.value)))
    return found


def _quoted_mode(value: str) -> str:
    """The quoted text to suggest for the plain number ``value``: its digits as octal
    (400 -> 0400), or an example when it is not written in digits (0x1a4)."""
    digits = value.lstrip("0")
    return f"0{digits}" if digits.isdigit() or not digits else "0640"


def parse_config(text: str, source: Path | None = None) -> Config:
    """Validate config text; errors name the file, line and key."""
    where = str(source) if source else "<config>"
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: the top level must be a mapping of options")
    lines: dict[tuple[str | int, ...], int] = {}
    if node is not None:
        _line_index(node, (), lines)
    unquoted = _unquoted_modes(node)
    if unquoted:
        raise ConfigError(
            "invalid configuration:\n  "
            + "\n  ".join(
                f"{where} line {line}: {key}: write the mode quoted, as in"
                f" '{_quoted_mode(value)}' (unquoted, {value} is read as a number,"
                " not as an octal permission)"
                for key, line, value in unquoted
            )
        )
    secrets = _literal_secret_keys(data)
    if secrets:
        raise ConfigError(
            f"{where}: {', '.join(secrets)}: secrets may not be written in the config file;"
            " name an environment variable (…_env) or a file (…_file) instead"
        )
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(
                p for p in error["loc"] if not (isinstance(p, str) and p in ("local", "s3"))
            )
            line = _nearest_line(lines, loc)
            dotted = ".".join(str(p) for p in loc) or "(top level)"
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                message = "unknown option (check the spelling against config.yaml's comments)"
            problems.append(f"{where}{f' line {line}' if line else ''}: {dotted}: {message}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems)) from None
    if source is not None:
        config = _resolve_paths(config, source.resolve().parent)
        config = config.model_copy(update={"source_path": source})
    return config


def _nearest_line(lines: dict[tuple[str | int, ...], int], loc: tuple[Any, ...]) -> int | None:
    for cut in range(len(loc), -1, -1):
        line = lines.get(tuple(loc[:cut]))
        if line is not None and cut > 0:
            return line
    return None


def load_config(path: Path) -> Config:
    """Read and validate the config file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"config file {path} not found; pass --config or set MAILLEDGER_CONFIG"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"config file {path} is not UTF-8 text (byte {exc.start} cannot be decoded)"
        ) from exc
    return parse_config(text, path)
