"""A real Dovecot IMAP server on loopback high ports, for tests.

Plain IMAP (with STARTTLS) and implicit-TLS IMAPS listen on 127.0.0.1; users live in a
passwd-file (scheme PLAIN), mail in Maildir under a temporary directory. Everything
Dovecot writes (base_dir, state_dir, logs, mail) stays under that directory.

Usage::

    with DovecotServer() as imap:
        imap.add_user("alice", "secret")
        uid = imap.append("alice", "INBOX", raw_bytes)
        assert imap.message_count("alice", "INBOX") == 1
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pwd
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from pipeline.demo.processes import (
    LOOPBACK,
    Cleanup,
    ManagedServer,
    free_port,
    popen,
    port_accepts,
    remove_tree,
    stop_process,
    tail,
    wait_until,
)
from pipeline.demo.tls import TlsFiles, make_tls_files

DEFAULT_PASSWORD = "test-password"  # noqa: S105 -- fixed credential of a loopback-only test/demo server
_APPENDUID = re.compile(rb"\[APPENDUID (\d+) ([0-9:,]+)\]")


@dataclass(frozen=True)
class AppendItem:
    """One message for :meth:`DovecotServer.append_many`."""

    raw: bytes
    flags: Sequence[str | bytes] = ()
    internaldate: dt.datetime | None = None


def _binary(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if path is None:
        raise FileNotFoundError(
            f"{name} not found: install dovecot-imapd (scripts/install-system-deps.sh)"
        )
    return path


def dovecot_available() -> bool:
    """True when the ``dovecot`` and ``doveadm`` binaries are installed."""
    try:
        _binary("dovecot")
        _binary("doveadm")
    except FileNotFoundError:
        return False
    return True


def _uids(text: bytes) -> list[int]:
    """UIDs from an APPENDUID response code (RFC 4315), e.g. ``[APPENDUID 7 3:5]``."""
    match = _APPENDUID.search(text)
    if match is None:
        return []
    out: list[int] = []
    for part in match.group(2).split(b","):
        lo, _, hi = part.partition(b":")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def _response_text(response: object) -> bytes:
    """The tagged response text of imapclient's ``multiappend`` (``(typ, [text])``) or bytes."""
    if isinstance(response, bytes):
        return response
    if isinstance(response, tuple) and len(response) == 2 and isinstance(response[1], list):
        return b" ".join(x for x in response[1] if isinstance(x, bytes))
    return b""


class DovecotServer(ManagedServer):
    """A Dovecot instance with its own config, users, Maildirs and TLS certificate."""

    def __init__(
        self,
        root: Path | None = None,
        startup_timeout: float = 15.0,
        *,
        oauth2_introspection_url: str | None = None,
    ) -> None:
        """Prepare (not start) a server; ``root`` defaults to a fresh temporary directory.

        With ``oauth2_introspection_url`` the server also accepts XOAUTH2/OAUTHBEARER
        logins, checking each token against that RFC 7662 introspection endpoint.
        """
        self.oauth2_introspection_url = oauth2_introspection_url
        self._owns_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="mailledger-dovecot-")) if root is None else root
        self.root.chmod(0o755)  # login and mail processes (not root) must traverse it
        self.host = LOOPBACK
        self.port = 0
        self.ssl_port = 0
        self.startup_timeout = startup_timeout
        self.startup_seconds = 0.0
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._passwords: dict[str, str] = {}
        self._cleanup: Cleanup | None = None

        if os.geteuid() == 0:
            # Dovecot refuses mail access as uid 0; run mail and login processes as nobody.
            mail_user = pwd.getpwnam("nobody")
            self._service_user = "nobody"
        else:
            mail_user = pwd.getpwuid(os.geteuid())
            self._service_user = mail_user.pw_name
        self.mail_uid = mail_user.pw_uid
        self.mail_gid = mail_user.pw_gid

        self.config_file = self.root / "dovecot.conf"
        self.users_dir = self.root / "users"
        self.log_file = self.root / "log" / "dovecot.log"
        self.home_dir = self.root / "home"
        for sub in ("run", "state", "log", "home", "users"):
            (self.root / sub).mkdir(exist_ok=True)
        os.chown(self.home_dir, self.mail_uid, self.mail_gid)
        self.tls: TlsFiles = make_tls_files(self.root / "tls")

    # ----------------------------------------------------------------- life cycle
    def _write_config(self) -> None:
        r = self.root
        self.config_file.write_text(
            f"""# generated for one test session
protocols = imap
listen = {self.host}
base_dir = {r}/run
state_dir = {r}/state
instance_name = mailledger-test-{self.port}
log_path = {self.log_file}
info_log_path = {self.log_file}
debug_log_path = {self.log_file}
default_login_user = {self._service_user}
default_internal_user = {self._service_user}
first_valid_uid = 1
first_valid_gid = 1
ssl = yes
ssl_cert = <{self.tls.cert_file}
ssl_key = <{self.tls.key_file}
disable_plaintext_auth = no
auth_mechanisms = plain login{self._oauth2_mechanisms()}
# No 2 s delay after a failed login; the per-IP auth penalty (which would slow every
# later login once one test has tried a wrong password) is off via anvil below.
auth_failure_delay = 0
mail_location = maildir:~/Maildir
mail_fsync = never
imap_idle_notify_interval = 1 secs
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.users_dir}/%u
}}
{self._oauth2_passdb()}userdb {{
  driver = static
  args = uid={self.mail_uid} gid={self.mail_gid} home={self.home_dir}/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {self.host}
    port = {self.port}
  }}
  inet_listener imaps {{
    address = {self.host}
    port = {self.ssl_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
        )

    def _oauth2_mechanisms(self) -> str:
        return " xoauth2 oauthbearer" if self.oauth2_introspection_url else ""

    def _oauth2_passdb(self) -> str:
        if not self.oauth2_introspection_url:
            return ""
        settings = self.root / "oauth2.conf.ext"
        settings.write_text(
            "introspection_mode = post\n"
            f"introspection_url = {self.oauth2_introspection_url}\n"
            "username_attribute = username\n"
            "active_attribute = active\n"
            "active_value = true\n"
        )
        return (
            "passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
            f"  args = {settings}\n}}\n"
        )

    def start(self) -> DovecotServer:
        """Start Dovecot and wait until both ports accept connections.

        The first start picks free ports; later starts (see :meth:`restart`) reuse them.
        """
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                return self
            began = time.monotonic()
            first = self.port == 0
            for attempt in range(3):
                if first:
                    self.port, self.ssl_port = free_port(), free_port()
                self._write_config()
                self._proc = popen(
                    [_binary("dovecot"), "-F", "-c", str(self.config_file)],
                    self.root / "log" / "master.out",
                )
                try:
                    wait_until(
                        self._ready,
                        self.startup_timeout,
                        f"dovecot on {self.host}:{self.port}/{self.ssl_port}",
                        self._diagnostics,
                    )
                    break
                except RuntimeError:
                    stop_process(self._proc)
                    self._proc = None
                    if not first or attempt == 2:
                        raise
            if self._cleanup is None:
                self._cleanup = Cleanup(self.close)
            self.startup_seconds = time.monotonic() - began
            return self

    def _ready(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise RuntimeError(
                f"dovecot exited with {self._proc.returncode}\n{self._diagnostics()}"
            )
        return port_accepts(self.port) and port_accepts(self.ssl_port)

    def _diagnostics(self) -> str:
        return (
            f"--- dovecot.log ---\n{tail(self.log_file)}\n"
            f"--- master output ---\n{tail(self.root / 'log' / 'master.out')}"
        )

    def stop(self) -> None:
        """Stop Dovecot (SIGTERM to the master, ``doveadm stop`` and SIGKILL as fallbacks).

        Mail and users are kept, so :meth:`start` brings the same mailboxes back.
        """
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is None:
                return
            if proc.poll() is None:
                # What ``doveadm stop`` does (SIGTERM to the master), without its ~3 s poll.
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(OSError, subprocess.SubprocessError):
                        subprocess.run(
                            [_binary("doveadm"), "-c", str(self.config_file), "stop"],
                            stdin=subprocess.DEVNULL,
                            capture_output=True,
                            timeout=10,
                            check=False,
                        )
            stop_process(proc)
            wait_until(
                lambda: not port_accepts(self.port) and not port_accepts(self.ssl_port),
                10,
                "dovecot ports to close",
            )

    def kill(self) -> None:
        """Crash the server: SIGKILL to every Dovecot process at once (no clean shutdown)."""
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        wait_until(
            lambda: not port_accepts(self.port) and not port_accepts(self.ssl_port),
            10,
            "dovecot ports to close",
        )

    def restart(self, *, hard: bool = False) -> None:
        """Stop (``hard``: :meth:`kill`, ~0.05 s; else clean, ~1 s) and start on the same ports.

        Users and mail are kept, so clients can reconnect to the same mailboxes (chaos tests).
        """
        if hard:
            self.kill()
        else:
            self.stop()
        self.start()

    def close(self) -> None:
        """Stop the server and remove its temporary directory (when it made it)."""
        try:
            self.stop()
        finally:
            if self._cleanup is not None:
                self._cleanup.cancel()
                self._cleanup = None
            if self._owns_root:
                remove_tree(self.root)

    @property
    def running(self) -> bool:
        """True while the master process is alive."""
        return self._proc is not None and self._proc.poll() is None

    # ----------------------------------------------------------------- users
    def add_user(self, name: str, password: str = DEFAULT_PASSWORD) -> str:
        """Add a user with an empty INBOX; returns ``name``.

        Each user has its own passwd-file (``users/<name>``): Dovecot opens a new user's file
        on first use, whereas it re-reads a changed file at most once a second, so changing
        an existing user's password may take a second to apply.
        """
        if not name or any(c in name for c in ":\n/ %") or name.startswith("."):
            raise ValueError(f"bad user name {name!r}")
        if ":" in password or "\n" in password:
            raise ValueError("password must not contain ':' or newlines")
        with self._lock:
            self._passwords[name] = password
            path = self.users_dir / name
            tmp = path.with_suffix(".tmp")
            tmp.write_text(f"{name}:{{PLAIN}}{password}::::::\n")
            tmp.chmod(0o644)
            tmp.replace(path)
        return name

    def password(self, user: str) -> str:
        """The password given to :meth:`add_user` for ``user``."""
        return self._passwords[user]

    def maildir(self, user: str) -> Path:
        """The user's Maildir on disk (for tests that inspect files)."""
        return self.home_dir / user / "Maildir"

    # ----------------------------------------------------------------- clients
    def client(
        self,
        user: str | None = None,
        *,
        tls: str = "plain",
        verify: bool = True,
        timeout: float = 10.0,
    ) -> IMAPClient:
        """An IMAPClient, logged in as ``user`` when given.

        ``tls`` is ``"plain"``, ``"starttls"`` or ``"ssl"`` (implicit TLS on :attr:`ssl_port`);
        with ``verify`` the server certificate is checked against :attr:`ca_file`.
        """
        ctx = self.ssl_context() if verify else ssl._create_unverified_context()  # noqa: S323
        if tls == "ssl":
            client = IMAPClient(
                self.host, port=self.ssl_port, ssl=True, ssl_context=ctx, timeout=timeout
            )
        elif tls in ("plain", "starttls"):
            client = IMAPClient(self.host, port=self.port, ssl=False, timeout=timeout)
            if tls == "starttls":
                client.starttls(ctx)
        else:
            raise ValueError(f"tls must be plain, starttls or ssl, not {tls!r}")
        if user is not None:
            try:
                client.login(user, self._passwords[user])
            except (IMAPClientError, OSError):
                with contextlib.suppress(OSError):
                    client.shutdown()
                raise
        return client

    @contextlib.contextmanager
    def session(
        self, user: str, *, tls: str = "plain", timeout: float = 10.0
    ) -> Iterator[IMAPClient]:
        """A logged-in client that is logged out afterwards (``timeout``: per socket read)."""
        client = self.client(user, tls=tls, timeout=timeout)
        try:
            yield client
        finally:
            with contextlib.suppress(IMAPClientError, OSError):
                client.logout()

    @property
    def ca_file(self) -> Path:
        """PEM file of the CA that signed the server certificate."""
        return self.tls.ca_file

    def ssl_context(self) -> ssl.SSLContext:
        """A client SSL context trusting :attr:`ca_file` (hostname 127.0.0.1 or localhost)."""
        return self.tls.client_context()

    # ----------------------------------------------------------------- mailbox helpers
    def create_folder(self, user: str, folder: str) -> None:
        """Create ``folder`` for ``user`` if it does not exist."""
        with self.session(user) as imap:
            if not imap.folder_exists(folder):
                imap.create_folder(folder)

    def append(
        self,
        user: str,
        folder: str,
        raw: bytes,
        flags: Sequence[str | bytes] = (),
        internaldate: dt.datetime | None = None,
        timeout: float = 10.0,
    ) -> int:
        """APPEND one message (creating the folder if needed); returns its UID."""
        item = AppendItem(raw, flags, internaldate)
        uids = self.append_many(user, folder, [item], timeout=timeout)
        return uids[0]

    def append_many(
        self,
        user: str,
        folder: str,
        messages: Iterable[bytes | AppendItem],
        batch: int = 200,
        timeout: float = 10.0,
    ) -> list[int]:
        """APPEND many messages over one connection (MULTIAPPEND batches); returns UIDs.

        ``timeout`` bounds each socket read; a server just restarted after a kill may
        take longer to answer its first write to a mailbox."""
        uids: list[int] = []
        with self.session(user, timeout=timeout) as imap:
            if not imap.folder_exists(folder):
                imap.create_folder(folder)
            pending: list[dict[str, object]] = []

            def flush() -> None:
                if pending:
                    response = imap.multiappend(folder, list(pending))
                    got = _uids(_response_text(response))
                    if len(got) != len(pending):
                        raise RuntimeError(f"APPEND gave {len(got)} UIDs for {len(pending)}")
                    uids.extend(got)
                    pending.clear()

            for item in messages:
                entry = item if isinstance(item, AppendItem) else AppendItem(item)
                one: dict[str, object] = {"msg": entry.raw}
                if entry.flags:
                    one["flags"] = tuple(entry.flags)
                if entry.internaldate is not None:
                    one["date"] = entry.internaldate
                pending.append(one)
                if len(pending) >= batch:
                    flush()
            flush()
        return uids

    def message_count(self, user: str, folder: str = "INBOX") -> int:
        """Number of messages in ``folder`` (STATUS MESSAGES)."""
        with self.session(user) as imap:
            status = imap.folder_status(folder, [b"MESSAGES"])
        return int(status[b"MESSAGES"])

    def uidvalidity(self, user: str, folder: str = "INBOX") -> int:
        """UIDVALIDITY of ``folder`` (STATUS UIDVALIDITY)."""
        with self.session(user) as imap:
            status = imap.folder_status(folder, [b"UIDVALIDITY"])
        return int(status[b"UIDVALIDITY"])

    def uids(self, user: str, folder: str = "INBOX") -> list[int]:
        """All UIDs in ``folder``, ascending."""
        with self.session(user) as imap:
            imap.select_folder(folder, readonly=True)
            return sorted(int(u) for u in imap.search("ALL"))
