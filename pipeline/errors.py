"""One error hierarchy for mailledger.

Every message is written for the person who has to act on it (an operator or a
records officer): it says what failed, where (file, key, mailbox, position) and,
where there is one, what to do. Messages never contain secrets or message content.
"""

from __future__ import annotations


class MailledgerError(Exception):
    """Base of every error mailledger raises on purpose."""

    exit_code = 1


class ConfigError(MailledgerError):
    """The configuration file or environment is wrong; nothing was done."""

    exit_code = 2


class SecretError(ConfigError):
    """A secret named in the configuration could not be read."""


class OperationalError(MailledgerError):
    """The machine refused something the command needs (a folder to write, a port to
    listen on): nothing is damaged, and the same command succeeds once that is fixed."""

    exit_code = 3


class CannotWriteError(OperationalError):
    """A file or folder could not be written: permissions, a read-only or full file system."""


class StorageError(MailledgerError):
    """The object store failed or refused an operation."""


class StoreWriteError(StorageError, CannotWriteError):
    """The object store could not be written (permissions, read-only or full file system)."""


class ObjectConflictError(StorageError):
    """A create-only write found different bytes already stored under the key."""


class ObjectNotFoundError(StorageError):
    """A key that should exist is not in the store."""


class IntegrityError(StorageError):
    """Stored bytes no longer match the SHA-256 they were stored under."""


class RetentionError(StorageError):
    """A change was refused because of retention or a legal hold (by the store, or by the
    hold rules: lifting a hold that is not there)."""


class LedgerError(MailledgerError):
    """The ledger could not be read or appended to."""


class CacheError(MailledgerError):
    """A cache in ``state_dir`` (derived from the ledger) is damaged or cannot be opened."""

    exit_code = 3


class CacheAheadError(LedgerError):
    """A local cache (search index, identity cache) holds entries the ledger no longer has:
    the only local sign of a cut or rewritten ledger, so it is reported, never rebuilt."""

    def __init__(self, what: str, cached: int, size: int, detail: str = "") -> None:
        super().__init__(
            f"the {what} records {cached} ledger entries but the ledger has {size}{detail}:"
            " the ledger may have been cut or rewritten (or the storage settings changed);"
            " run 'mailledger verify', and only after investigating 'mailledger index"
            " --rebuild'"
        )
        self.cached = cached
        self.size = size


class AppendConflictError(LedgerError):
    """Another writer kept winning the race for the next ledger position."""


class EntryFormatError(LedgerError):
    """A ledger entry's body does not match the catalogue model of its type."""


class CheckpointError(LedgerError):
    """A checkpoint is malformed, unsigned or signed by an unknown key."""


class WitnessError(LedgerError):
    """An external witness refused to cosign a checkpoint, or could not be reached."""


class WitnessAheadError(WitnessError):
    """The witness has cosigned a larger tree (``held`` entries) than the one offered:
    the log was cut, unless it has grown past ``held`` since the offered checkpoint."""

    def __init__(self, message: str, held: int) -> None:
        super().__init__(message)
        self.held = held


class IngestError(MailledgerError):
    """A mailbox could not be polled or a message could not be recorded."""


class MailboxError(IngestError):
    """The IMAP server refused or dropped the connection for one mailbox."""


class LeaseHeldError(IngestError):
    """Another worker holds the lease on a mailbox folder."""


class QueueError(IngestError):
    """The assembly queue could not be reached, or carried a message that is not ours."""


class ParseError(MailledgerError):
    """A message or attachment could not be parsed (the raw bytes are still recorded)."""


class DispatchError(MailledgerError):
    """An event sink refused or failed to take an event."""


class HandlerError(MailledgerError):
    """An acknowledgment or escalation could not be carried out."""


class RecordNotFoundError(MailledgerError):
    """No record matches the reference a person gave."""


class ExportError(MailledgerError):
    """An examination export could not be written or does not verify."""


class ExportWriteError(ExportError, CannotWriteError):
    """The export's folder cannot be written (missing, read-only, full)."""


class ExportExistsError(ExportError):
    """The export's destination already exists: a usage error, since exports never replace
    one another."""

    exit_code = 2


class CaseActionError(MailledgerError):
    """A case action (extend, resolve, reopen, link) is not allowed in the record's state."""


class OutboundHeaderError(HandlerError):
    """An outbound message failed its header check after composing; nothing was sent."""


class RetryLaterError(HandlerError):
    """An item is waiting (a young claim or a back-off after a refusal); revisit it later."""


class AccountError(MailledgerError):
    """A records-application account could not be created, changed or used."""

    exit_code = 2


class SignInError(AccountError):
    """A sign-in was refused (the message never says which part was wrong)."""

    exit_code = 1


class PermissionDeniedError(AccountError):
    """The signed-in person's roles do not allow the action."""

    exit_code = 1
