"""One frozen, typed model per ledger entry type: the body each type carries.

Every field of every body is declared here and nowhere else: writers build a model
and encode it (:func:`pipeline.entries.catalogue.encode`), readers decode an entry
into its model (:func:`pipeline.entries.catalogue.decode`). Adding a field to a
body is one change in this module.

Types are strict (a string is never an int, a bool never an int) and unknown keys
are refused, so a reader cannot ask for a field no writer writes. Fields a writer
may leave out of a body have defaults; how bodies of older schema versions map to
these models lives in :mod:`pipeline.entries.upgrade`.

Times of day are kept as the ledger's text form (``YYYY-MM-DDTHH:MM:SS.ffffffZ``)
so a body re-encodes to the same bytes; dates are :class:`datetime.date`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from pipeline.entries import names
from pipeline.ledger.entry import parse_time

Str = StrictStr
Int = StrictInt
Bool = StrictBool
Strs = tuple[StrictStr, ...]


def _iso_date(value: object) -> date:
    """A ``YYYY-MM-DD`` text (how the ledger writes dates) or a date; nothing else."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        return date.fromisoformat(value)
    raise ValueError("a date must be written YYYY-MM-DD")


Day = Annotated[date, BeforeValidator(_iso_date)]


class Model(BaseModel):
    """A frozen part of an entry body: strict types, no unknown keys."""

    # validate_by_name: code builds ``Headers(from_=...)``; bodies carry ``"from"``
    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_by_name=True, validate_by_alias=True
    )


class Body(Model):
    """The body of one entry type; ``TYPE`` is the type it is written as."""

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1

    def concerns(self) -> frozenset[str]:
        """The record ids this entry is about: it belongs to their trails."""
        return frozenset()


# -- records (message.received, response.sent) -------------------------------------


class Source(Model):
    """Where a message was read from (``kind`` imap or import)."""

    kind: Literal["imap", "import"]
    mailbox: Str
    folder: Str
    uidvalidity: Int | None = None
    uid: Int | None = None
    internaldate: Str | None = None  # ledger time text
    direction: Literal["inbound", "outbound"] = "inbound"
    imported: Bool = False
    path: Str | None = None

    @property
    def is_imported(self) -> bool:
        """Backfilled mail (never auto-acknowledged, starts no clock)."""
        return self.imported or self.kind == "import"


class ObjectRef(Model):
    """A content-addressed stored object."""

    sha256: Str
    size: Int
    key: Str


class Party(Model):
    """A display name and address as the message gave them."""

    name: Str = ""
    address: Str


class Headers(Model):
    """The header fields a record keeps (``from`` is ``from_`` in Python)."""

    message_id: Str | None = None
    from_: tuple[Party, ...] = Field(
        default=(), validation_alias="from", serialization_alias="from"
    )
    to: tuple[Party, ...] = ()
    cc: tuple[Party, ...] = ()
    reply_to: tuple[Party, ...] = ()
    date: Str | None = None
    subject: Str = ""
    in_reply_to: Str | None = None
    references: Strs = ()
    auto_submitted: Str | None = None
    precedence: Str | None = None
    list_id: Str | None = None
    list_headers: Strs = ()  # lowercased names of the List-* fields present (RFC 2369)
    return_path: Str | None = None


class Bodies(Model):
    """The stored text parts of a message."""

    text: ObjectRef | None = None
    html: ObjectRef | None = None
    html_text: ObjectRef | None = None


class Attachment(Model):
    """One attachment, its stored object (quarantined when rejected) and the verdict."""

    sha256: Str
    size: Int
    key: Str
    filename: Str | None = None
    safe_filename: Str
    declared_type: Str | None = None
    detected_type: Str | None = None
    extension: Str | None = None
    verdict: Literal["accepted", "rejected"]
    reasons: Strs = ()
    flags: Strs = ()
    part: Str | None
    nested_in: Strs


class RuleMatchBody(Model):
    """One escalation-rule match: where in which field, how severe, which route."""

    rule: Str
    field: Str = ""
    item: Int = 0
    start: Int = 0
    end: Int = 0
    matched: Str = ""
    severity: Str = "unknown"
    route: Str = ""


class SensitiveBody(Model):
    """A sensitive number found (only its masked form is kept)."""

    kind: Str
    field: Str
    start: Int
    end: Int
    masked: Str


class EvidenceBody(Model):
    """Why a kind or family was decided: the rule or signal, where, in which language."""

    rule: Str
    field: Str
    item: Int = 0
    start: Int
    end: Int
    matched: Str
    language: Str
    signal: Str | None = None
    # A statistical decision's value, as 3-decimal text (no floats in entries).
    score: Str | None = None
    # The model and threshold that decided (a digest of the shipped model file).
    model: Str | None = None


class KindEvidenceBody(Model):
    """One piece of evidence for a request kind."""

    kind: Str
    evidence: EvidenceBody


class FamilyBody(Model):
    """An escalation family found, its route, severity and evidence."""

    family: Str
    route: Str
    severity: Str
    evidence: tuple[EvidenceBody, ...] = ()


class SuppressionBody(Model):
    """A match that did not count, and the cue that stopped it."""

    reason: Str
    rule: Str
    field: Str
    start: Int
    end: Int
    matched: Str
    cue: Str


class LanguageBody(Model):
    """Detected language, confidence (3-decimal text: no floats in entries), script,
    second language of code-switched mail, and how it was decided."""

    code: Str
    confidence: Str
    script: Str | None = None
    secondary: Str | None = None
    method: Str


class MachineBody(Model):
    """Whether a machine wrote the message, which kind, and the header/text evidence."""

    is_machine: Bool
    kind: Str | None = None
    evidence: Strs = ()


class ClassificationBody(Model):
    """What classification found (``pipeline.classify.Classification``).

    ``account_numbers`` are FULL numbers: mask them before showing or sending.
    """

    schema_version: Int = Field(default=1, validation_alias="schema", serialization_alias="schema")
    category: Str | None = None
    subcategory: Str | None = None
    request_kind: Str | None = None
    # the regulated requests the message makes (pipeline.classify.kinds); none: empty
    request_kinds: Strs = ()
    request_subkinds: Strs = ()
    foreclosure_sale_date: Day | None = None
    language: Str | None = None
    escalated: Bool = False
    severity: Str | None = None
    routes: Strs = ()
    error_asserted: Bool = False
    account_numbers: Strs = Field(default=(), repr=False)
    matches: tuple[RuleMatchBody, ...] = ()
    sensitive: tuple[SensitiveBody, ...] = ()
    # schema 2 (pipeline.classify.classifier): families, evidence, language, machine mail
    kind_evidence: tuple[KindEvidenceBody, ...] = ()
    escalation_families: tuple[FamilyBody, ...] = ()
    language_detail: LanguageBody | None = None
    ack_languages: Strs = ()
    machine: MachineBody | None = None
    needs_acknowledgment: Bool = True
    suppressions: tuple[SuppressionBody, ...] = ()

    @property
    def rules(self) -> tuple[str, ...]:
        """Names of the rules that matched, sorted."""
        return tuple(sorted({m.rule for m in self.matches}))


class DeadlineBody(Model):
    """One clock started by the message: due date, length and the rule it comes from."""

    name: Str
    due: Day
    business_days: Int
    rule: Str
    start: Day | None
    extendable: Bool


class MessageSealed(Body):
    """A message's raw bytes were stored on receipt; its identity is decided here.

    Small on purpose (no MIME parsing happens before it): the record assembled from
    it later (``message.received`` / ``response.sent``) names this entry in ``sealed``.
    """

    TYPE: ClassVar[str] = names.MESSAGE_SEALED

    record_id: Str
    source: Source
    raw: ObjectRef  # SHA-256, size and key of the bytes as received

    def concerns(self) -> frozenset[str]:
        """The record this message becomes."""
        return frozenset((self.record_id,))


class SealedRef(Model):
    """The ``message.sealed`` entry a record was assembled from."""

    seq: Int
    sha256: Str  # the raw SHA-256 the seal recorded


class RecordBody(Body):
    """A whole message record: ``message.received`` and, outbound, ``response.sent``."""

    # 3: ``sealed`` names the seal entry (absent on records written before sealing)
    VERSION: ClassVar[int] = 3

    record_id: Str
    source: Source
    raw: ObjectRef | None = None
    sealed: SealedRef | None = None
    headers: Headers = Headers()
    bodies: Bodies = Bodies()
    attachments: tuple[Attachment, ...] = ()
    defects: Strs = ()
    parse_error: Str | None = None
    classification: ClassificationBody = ClassificationBody()
    deadlines: tuple[DeadlineBody, ...] = ()

    def concerns(self) -> frozenset[str]:
        """The record this entry is about."""
        return frozenset((self.record_id,))

    def deadline(self, name: str) -> DeadlineBody | None:
        """The clock called ``name``, if the record started one."""
        return next((d for d in self.deadlines if d.name == name), None)

    def object_refs(self) -> tuple[ObjectRef | Attachment, ...]:
        """Every stored object the record references: raw, text parts, attachments."""
        parts = (self.raw, self.bodies.text, self.bodies.html, self.bodies.html_text)
        return (*(p for p in parts if p is not None), *self.attachments)


class MessageReceived(RecordBody):
    """An inbound (or imported) message was recorded."""

    TYPE: ClassVar[str] = names.MESSAGE_RECEIVED


class ResponseSent(RecordBody):
    """An outbound reply, read from an ``outbound`` mailbox, was recorded."""

    TYPE: ClassVar[str] = names.RESPONSE_SENT


# -- ingestion and dispatch --------------------------------------------------------


class MailboxReconciled(Body):
    """A folder's server state compared with what the ledger holds."""

    TYPE: ClassVar[str] = names.MAILBOX_RECONCILED

    mailbox: Str
    folder: Str
    uidvalidity: Int | None
    uidnext: Int | None
    server_count: Int | None
    recorded_count: Int
    gap_count: Int
    gaps: tuple[Int, ...] = ()
    checked_at: Str


class DeliveredEvent(Model):
    """One event a sink accepted."""

    id: Str
    type: Str
    record_id: Str | None = None
    entry_seq: Int


class EventDelivered(Body):
    """A sink accepted the events derived from entries ``from_seq``..``through_seq``."""

    TYPE: ClassVar[str] = names.EVENT_DELIVERED

    sink: Str
    from_seq: Int
    through_seq: Int
    events: tuple[DeliveredEvent, ...] = ()

    def concerns(self) -> frozenset[str]:
        """The records whose events were delivered."""
        return frozenset(e.record_id for e in self.events if e.record_id is not None)


# -- handlers: acknowledgments and escalations ---------------------------------------


class HandlerBody(Body):
    """Every handler entry names the record and the position of its record entry."""

    record_id: Str
    entry_seq: Int

    def concerns(self) -> frozenset[str]:
        """The record this entry is about."""
        return frozenset((self.record_id,))


class AcknowledgmentIntent(HandlerBody):
    """Claim before sending an acknowledgment (stored message and its address)."""

    TYPE: ClassVar[str] = names.ACKNOWLEDGMENT_INTENT

    ack_message_id: Str
    ack_sha256: Str
    to: Str


class AcknowledgmentSent(HandlerBody):
    """The acknowledgment left: transport, provider id or SMTP reply, its SHA-256."""

    TYPE: ClassVar[str] = names.ACKNOWLEDGMENT_SENT

    intent_seq: Int
    time: Str  # ledger time text of the hand-off
    ack_message_id: Str
    to: Str
    transport: Str
    provider_id: Str | None = None
    reply: Str | None = None
    reply_code: Int | None = None
    ack_sha256: Str
    ack_size: Int
    authentication: Str | None = None  # how the sender was authenticated, "none" if not

    @property
    def sent_at(self) -> datetime:
        """When the transport accepted the acknowledgment."""
        return parse_time(self.time)


class AcknowledgmentSkipped(HandlerBody):
    """No acknowledgment is sent, and why (machine mail, imported, rate limit...)."""

    TYPE: ClassVar[str] = names.ACKNOWLEDGMENT_SKIPPED

    reason: Str
    detail: Str | None = None  # what the outbound check refused, when that is the reason
    limit: Int | None = None  # the configured limit, for a rate-limited-* reason
    authentication: Str | None = None  # the verdict, for a not-authenticated reason


class SendFailure(Model):
    """How a provider refused: ``permanent`` (5xx: never retried) or when to try again."""

    code: Int | None = None
    permanent: Bool = False
    attempt: Int | None = None  # the how-many-th temporary refusal
    retry_after: Str | None = None  # ledger time text: no new attempt before it


class AcknowledgmentFailed(HandlerBody, SendFailure):
    """The transport refused before the message left; the claim is released.

    ``permanent``: the recipient or message was refused for good and the record's
    acknowledgment is finished; otherwise ``retry_after`` says when to try again.
    """

    TYPE: ClassVar[str] = names.ACKNOWLEDGMENT_FAILED

    intent_seq: Int
    error: Str


class AcknowledgmentUnconfirmed(HandlerBody):
    """A claim was never confirmed: a person must check whether it went out."""

    TYPE: ClassVar[str] = names.ACKNOWLEDGMENT_UNCONFIRMED

    intent_seq: Int
    ack_message_id: Str | None = None
    reason: Str


class EscalationBody(HandlerBody):
    """Every escalation entry is about one route of the record."""

    route: Str


class EscalationIntent(EscalationBody):
    """Claim before notifying one route."""

    TYPE: ClassVar[str] = names.ESCALATION_INTENT

    rules: Strs


class EscalationNotified(EscalationBody):
    """A route's target accepted the notification."""

    TYPE: ClassVar[str] = names.ESCALATION_NOTIFIED

    intent_seq: Int
    target_kind: Str
    rules: Strs
    severity: Str | None = None
    provider_ids: tuple[Str | None, ...] = ()


class EscalationFailed(EscalationBody, SendFailure):
    """A route's target refused; the claim is released (or the route ends, if permanent)."""

    TYPE: ClassVar[str] = names.ESCALATION_FAILED

    intent_seq: Int
    error: Str


class EscalationUnconfirmed(EscalationBody):
    """A notification claim was never confirmed."""

    TYPE: ClassVar[str] = names.ESCALATION_UNCONFIRMED

    intent_seq: Int
    reason: Str


# -- people's actions: access, export, cases, holds, disposal -----------------------


class AccessViewed(Body):
    """A person retrieved record content: who, which records, what and why."""

    TYPE: ClassVar[str] = names.ACCESS_VIEWED

    record_ids: Strs
    what: Str
    actor: Str
    reason: Str | None = None

    def concerns(self) -> frozenset[str]:
        """The records this entry names."""
        return frozenset(self.record_ids)


class ExportCriteria(Model):
    """The filters an export was made with (ledger time text for the bounds)."""

    received_from: Str | None = None
    received_to: Str | None = None
    mailbox: Str | None = None
    sender: Str | None = None
    account: Str | None = None
    category: Str | None = None
    escalated: Bool | None = None
    text: Str | None = None
    # version 2 of export.created: the search page's other filters
    request_kind: Str | None = None
    escalation_family: Str | None = None
    rule: Str | None = None
    language: Str | None = None
    attachment_verdict: Str | None = None
    deadline_status: Str | None = None  # as the case model decided it when exported
    limit: Int | None = None
    types: Strs = names.RECORD_TYPES


class ExportCreated(Body):
    """An examination export was written: its criteria, manifest and records."""

    TYPE: ClassVar[str] = names.EXPORT_CREATED
    # 2: the criteria may carry request kind, escalation family, rule, language,
    # attachment verdict and deadline status (absent, hence None, in version 1)
    VERSION: ClassVar[int] = 2

    record_ids: Strs
    actor: Str
    reason: Str | None = None
    criteria: ExportCriteria
    manifest_sha256: Str
    checkpoint_size: Int
    files: Int
    format: Str
    # SHA-256 of the verify.py shipped in the export, so an examiner can compare the
    # verifier they run with the one the log recorded (absent in older exports)
    verifier_sha256: Str | None = None

    def concerns(self) -> frozenset[str]:
        """The records this entry names."""
        return frozenset(self.record_ids)


class CaseBody(Body):
    """A person's case decision about an inbound record, with the reason."""

    record_id: Str
    record_seq: Int | None = None
    reason: Str = ""

    def concerns(self) -> frozenset[str]:
        """The record this entry is about."""
        return frozenset((self.record_id,))


class CaseLinked(CaseBody):
    """A recorded response answers the record."""

    TYPE: ClassVar[str] = names.CASE_LINKED

    response_record_id: Str
    response_seq: Int | None = None

    def concerns(self) -> frozenset[str]:
        """The request and the reply: the reply joins the request's trail."""
        return frozenset((self.record_id, self.response_record_id))


class CaseExtended(CaseBody):
    """The respond clock was extended (once, as the rule allows)."""

    TYPE: ClassVar[str] = names.CASE_EXTENDED

    days: Int
    previous_due: Day | None = None
    due: Day
    rule: Str = ""
    language: Str | None = None  # of the written notice; the record's language when None


class CaseResolved(CaseBody):
    """The case was closed by a person."""

    TYPE: ClassVar[str] = names.CASE_RESOLVED


class CaseReopened(CaseBody):
    """A resolved case was opened again."""

    TYPE: ClassVar[str] = names.CASE_REOPENED

    resolved_seq: Int | None = None


class DueChange(Model):
    """A due date a correction moved: the clock (``kind:name``), old and new (None: none)."""

    clock: Str
    previous_due: Day | None = None
    due: Day | None = None


class CorrectionBody(CaseBody):
    """A person's correction of what the pipeline decided, and the due dates it moved."""

    due_changes: tuple[DueChange, ...] = ()


class CaseReclassified(CorrectionBody):
    """The request kinds (and subkinds) were set by a person."""

    TYPE: ClassVar[str] = names.CASE_RECLASSIFIED

    kinds: Strs = ()
    subkinds: Strs = ()
    previous_kinds: Strs = ()
    previous_subkinds: Strs = ()


class CaseNotARequest(CorrectionBody):
    """The message makes no request: its clocks do not apply."""

    TYPE: ClassVar[str] = names.CASE_NOT_A_REQUEST

    previous_kinds: Strs = ()


class CaseSaleDateSet(CorrectionBody):
    """The scheduled foreclosure sale date was set or changed."""

    TYPE: ClassVar[str] = names.CASE_SALE_DATE_SET

    sale_date: Day
    previous_sale_date: Day | None = None


class CaseEscalationAdded(CorrectionBody):
    """The record was escalated by hand as ``family`` to ``route``."""

    TYPE: ClassVar[str] = names.CASE_ESCALATION_ADDED

    family: Str
    route: Str


class CaseEscalationRemoved(CorrectionBody):
    """An escalation family was withdrawn."""

    TYPE: ClassVar[str] = names.CASE_ESCALATION_REMOVED

    family: Str


class CaseHoldingReply(CorrectionBody):
    """A linked reply only acknowledges the request: it does not meet the respond clock."""

    TYPE: ClassVar[str] = names.CASE_HOLDING_REPLY

    response_record_id: Str
    response_seq: Int | None = None

    def concerns(self) -> frozenset[str]:
        """The request and the reply."""
        return frozenset((self.record_id, self.response_record_id))


class ExtensionNoticeBody(HandlerBody):
    """The written notice of an extension; ``extension_seq`` is its ``case.extended``."""

    extension_seq: Int


class ExtensionNoticeIntent(ExtensionNoticeBody):
    """The claim before the notice is sent (at most once per extension)."""

    TYPE: ClassVar[str] = names.EXTENSION_NOTICE_INTENT

    notice_message_id: Str
    notice_sha256: Str
    to: Str
    language: Str


class ExtensionNoticeSent(ExtensionNoticeBody):
    """The notice left: transport, provider id or SMTP reply."""

    TYPE: ClassVar[str] = names.EXTENSION_NOTICE_SENT

    intent_seq: Int
    time: Str  # ledger time text of the hand-off
    notice_message_id: Str
    to: Str
    language: Str
    transport: Str
    provider_id: Str | None = None
    reply: Str | None = None
    reply_code: Int | None = None
    notice_sha256: Str
    notice_size: Int

    @property
    def sent_at(self) -> datetime:
        """When the transport accepted the notice."""
        return parse_time(self.time)


class ExtensionNoticeSkipped(ExtensionNoticeBody):
    """No notice can be sent automatically (no usable address, machine mail)."""

    TYPE: ClassVar[str] = names.EXTENSION_NOTICE_SKIPPED

    reason: Str


class ExtensionNoticeFailed(ExtensionNoticeBody, SendFailure):
    """The provider refused the notice before it left; the claim is released.

    ``permanent``: refused for good (5xx), the notice must go out another way;
    otherwise ``retry_after`` says when to try again.
    """

    TYPE: ClassVar[str] = names.EXTENSION_NOTICE_FAILED

    intent_seq: Int
    error: Str


class ExtensionNoticeUnconfirmed(ExtensionNoticeBody):
    """Claimed but never confirmed: a person must check whether it left."""

    TYPE: ClassVar[str] = names.EXTENSION_NOTICE_UNCONFIRMED

    intent_seq: Int
    notice_message_id: Str | None = None
    reason: Str


class HoldBody(Body):
    """A legal hold placed on or lifted from records' objects."""

    record_ids: Strs
    keys: Strs = ()
    reason: Str | None = None

    def concerns(self) -> frozenset[str]:
        """The records this entry names."""
        return frozenset(self.record_ids)


class HoldAdded(HoldBody):
    """Objects put under legal hold."""

    TYPE: ClassVar[str] = names.HOLD_ADDED


class HoldRemoved(HoldBody):
    """Legal hold lifted (objects another held record needs stay held)."""

    TYPE: ClassVar[str] = names.HOLD_REMOVED


class RetentionPolicy(Model):
    """The retention settings a disposal was made under."""

    older_than: Str | None = None
    retain_days: Int | None = None
    mode: Str | None = None


class RecordDisposed(Body):
    """A record's objects were deleted under the retention policy; its entries stay."""

    TYPE: ClassVar[str] = names.RECORD_DISPOSED

    record_id: Str
    keys: Strs
    policy: RetentionPolicy = RetentionPolicy()
    reason: Str | None = None

    def concerns(self) -> frozenset[str]:
        """The record this entry is about."""
        return frozenset((self.record_id,))


class ExportGranted(Body):
    """An examiner was given an export to download and verify (and only that export)."""

    TYPE: ClassVar[str] = names.EXPORT_GRANTED

    manifest_sha256: Str
    export_seq: Int
    grantee: Str
    actor: Str
    reason: Str | None = None


# -- people: sign-in and roles (no record is concerned, so no trail shows them) ----


class UserSignedIn(Body):
    """A person signed in to the records application."""

    TYPE: ClassVar[str] = names.USER_SIGNED_IN

    user: Str
    method: Str  # "password" or "oidc:<issuer>"
    roles: Strs
    subject: Str | None = None  # the provider's ``sub`` for the person (OIDC only)


class UserSignInFailed(Body):
    """A sign-in was refused; ``user`` is the name that was typed (it may not exist)."""

    TYPE: ClassVar[str] = names.USER_SIGN_IN_FAILED

    user: Str
    method: Str
    reason: Str  # "unknown user", "wrong password", "disabled", "no role", ...
    subject: Str | None = None  # the provider's ``sub`` (OIDC only)


class UserSignedOut(Body):
    """A person signed out, or their session ended."""

    TYPE: ClassVar[str] = names.USER_SIGNED_OUT

    user: Str
    reason: Str  # "signed out", "expired"


class UserRolesChanged(Body):
    """An account was created, or its roles changed, by ``actor``."""

    TYPE: ClassVar[str] = names.USER_ROLES_CHANGED

    user: Str
    actor: Str
    before: Strs
    after: Strs
    reason: Str | None = None


CATALOGUE: dict[str, type[Body]] = {
    model.TYPE: model
    for model in (
        MessageSealed,
        MessageReceived,
        ResponseSent,
        MailboxReconciled,
        EventDelivered,
        AcknowledgmentIntent,
        AcknowledgmentSent,
        AcknowledgmentSkipped,
        AcknowledgmentFailed,
        AcknowledgmentUnconfirmed,
        EscalationIntent,
        EscalationNotified,
        EscalationFailed,
        EscalationUnconfirmed,
        AccessViewed,
        ExportCreated,
        CaseLinked,
        CaseExtended,
        CaseResolved,
        CaseReclassified,
        CaseNotARequest,
        CaseSaleDateSet,
        CaseEscalationAdded,
        CaseEscalationRemoved,
        CaseHoldingReply,
        ExtensionNoticeIntent,
        ExtensionNoticeSent,
        ExtensionNoticeSkipped,
        ExtensionNoticeFailed,
        ExtensionNoticeUnconfirmed,
        CaseReopened,
        HoldAdded,
        HoldRemoved,
        RecordDisposed,
        ExportGranted,
        UserSignedIn,
        UserSignInFailed,
        UserSignedOut,
        UserRolesChanged,
    )
}
"""Every entry type the ledger may hold, and the model of its body."""
