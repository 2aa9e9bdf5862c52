"""The app's pages. Each route states the permission it needs; the archive does the work.

No personal data in URLs or cookies: search filters are posted and kept on the server
with the session, under a random id; record pages are addressed by record id,
downloads by SHA-256. Actions that the ledger records (opening content, downloads,
exports taken, trails, case decisions, holds, exports, grants, accounts) are POSTs with
a CSRF token and a reason where the configuration asks for one, never GETs.
"""

from __future__ import annotations

import io
import secrets
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

import structlog
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from pipeline.archive import Archive
from pipeline.archive.people import Permission, parse_roles
from pipeline.cases.deadlines import CaseStatus, DeadlineResult
from pipeline.cases.read import clock_bucket, deadline_filters
from pipeline.classify.clocks import local_date
from pipeline.errors import (
    AccountError,
    ExportError,
    PermissionDeniedError,
    RecordNotFoundError,
    RetentionError,
    SignInError,
)
from pipeline.export.bundle_verifier import UsageError, verify_bundle
from pipeline.index.model import SearchCriteria, check_day, day_bound
from pipeline.index.proven import ProvenRow
from pipeline.runtime import verifier_keys
from pipeline.web.app import WebState, WebUser, archive_for
from pipeline.web.display import (
    frame_document,
    in_context,
    is_record_id,
    is_sha256,
    masked,
    sanitize_email_html,
)
from pipeline.web.forms import (
    ActionForm,
    DisposalForm,
    EscalationForm,
    ExportForm,
    ExtendForm,
    GrantForm,
    HoldForm,
    LinkForm,
    ReasonForm,
    ReclassifyForm,
    RolesForm,
    SaleDateForm,
    SearchForm,
    SignInForm,
    UserForm,
    VerifyForm,
)
from pipeline.web.jobs import ExportJob, ExportJobs

log = structlog.get_logger(__name__)

blueprint = Blueprint("web", __name__)

P = ParamSpec("P")
R = TypeVar("R")

_SAVED_SEARCHES = 20  # kept per session, on the server
_LAST_PAGE = 1_000_000
COUNT_AT_MOST = 10_000  # beyond this a search says "more than" (a full count takes seconds)


def state() -> WebState:
    """The app's state."""
    return cast(WebState, current_app.extensions["mailledger"])


def me() -> WebUser:
    """The signed-in person."""
    return cast(WebUser, current_user._get_current_object())


def archive() -> Archive:
    """The archive acting for the signed-in person (one per request)."""
    if "archive" not in g:
        g.archive = archive_for(state(), me().user.actor)
    return cast(Archive, g.archive)


def signed_in(view: Callable[P, R]) -> Callable[P, R]:
    """Flask-Login's ``login_required``, typed."""
    return cast(Callable[P, R], login_required(view))


def requires(permission: Permission) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Sign-in required, and a role that allows ``permission`` (else 403)."""

    def wrap(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            me().user.require(permission)
            return view(*args, **kwargs)

        return signed_in(checked)

    return wrap


def _record_id(value: str) -> str:
    if not is_record_id(value):
        raise RecordNotFoundError("that is not a record id (r- and 24 hex digits)")
    return value


@blueprint.app_context_processor
def _context() -> dict[str, Any]:
    user = me().user if current_user.is_authenticated else None
    return {
        "user": user,
        "may": (lambda p: user is not None and user.may(Permission(p))),
        "signout_form": ActionForm(),
        "masked": masked,
    }


# -- sign-in -----------------------------------------------------------------------


@blueprint.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Liveness for load balancers and the demo's check (no data)."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    """Local account sign-in; every attempt is recorded in the ledger."""
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        st = state()
        with archive_for(st, st.service_actor) as service:
            try:
                user = st.people.authenticate(
                    service, form.name.data or "", form.password.data or ""
                )
            except SignInError as exc:
                error = str(exc)
            else:
                # a new session id and a new cookie: nothing from before sign-in survives
                session.clear()
                sid = st.sessions.start(user.name, st.clock())
                login_user(WebUser(user, sid))
                session.permanent = True
                return redirect(url_for("web.home"))
    status = 401 if error else 200
    return render_template("sign_in.html", form=form, error=error), status


@blueprint.post("/sign-out")
@signed_in
def sign_out() -> ResponseReturnValue:
    """End the session here and on the server."""
    if not ActionForm().validate_on_submit():
        abort(400)
    who = me()
    st = state()
    st.sessions.end(who.sid)
    st.people.signed_out(archive(), who.user.name, "signed out")
    logout_user()
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("web.sign_in"))


@blueprint.get("/")
@signed_in
def home() -> ResponseReturnValue:
    """The first page each role can use."""
    user = me().user
    for permission, endpoint in (
        (Permission.SEARCH, "web.search"),
        (Permission.EXAMINE, "web.examine"),
        (Permission.USERS, "web.users"),
    ):
        if user.may(permission):
            return redirect(url_for(endpoint))
    raise PermissionDeniedError(f"{user.name} has no role that allows any page")


# -- search --------------------------------------------------------------------------


def _day_bound(day: date | None, *, end: bool) -> str | None:
    """A date as the start of that day (``end``: of the next day) in the clocks' zone."""
    if day is None:
        return None
    return day_bound(day, state().config.classification.policy.clock.zone, end=end)


def _criteria(
    saved: dict[str, Any], *, newest_first: bool, limit: int | None, offset: int
) -> SearchCriteria:
    escalated = {"yes": True, "no": False}.get(saved.get("escalated") or "")
    return SearchCriteria(
        received_from=_day_bound(
            date.fromisoformat(saved["from"]) if saved.get("from") else None, end=False
        ),
        received_to=_day_bound(
            date.fromisoformat(saved["to"]) if saved.get("to") else None, end=True
        ),
        mailbox=saved.get("mailbox") or None,
        sender=saved.get("sender") or None,
        account=saved.get("account") or None,
        category=saved.get("category") or None,
        escalated=escalated,
        text=saved.get("text") or None,
        request_kind=saved.get("request_kind") or None,
        rule=saved.get("rule") or None,
        escalation_family=saved.get("escalation_family") or None,
        language=saved.get("language") or None,
        attachment_verdict=saved.get("attachment_verdict") or None,
        deadline_status=saved.get("deadline_status") or None,
        newest_first=newest_first,
        # received time, ties by ledger position: every filter has an index in this order
        order="received",
        limit=limit,
        offset=offset,
    )


def _saved(search_id: str | None) -> dict[str, Any] | None:
    if not search_id:
        return None
    return state().sessions.saved_search(me().sid, search_id)


@blueprint.route("/search", methods=["GET", "POST"])
@requires(Permission.SEARCH)
def search() -> ResponseReturnValue:
    """Search form; results of a saved search with counts, order and pages."""
    form = SearchForm()
    if form.validate_on_submit():
        saved = {
            "from": form.date_from.data.isoformat() if form.date_from.data else None,
            "to": form.date_to.data.isoformat() if form.date_to.data else None,
            "mailbox": (form.mailbox.data or "").strip(),
            "sender": (form.sender.data or "").strip(),
            "account": (form.account.data or "").strip(),
            "category": (form.category.data or "").strip(),
            "escalated": form.escalated.data or "",
            "text": (form.text.data or "").strip(),
            "request_kind": form.request_kind.data or "",
            "rule": (form.rule.data or "").strip(),
            "escalation_family": form.escalation_family.data or "",
            "language": (form.language.data or "").strip().lower(),
            "attachment_verdict": form.attachment_verdict.data or "",
            "deadline_status": form.deadline_status.data or "",
        }
        search_id = state().sessions.save_search(me().sid, saved, keep=_SAVED_SEARCHES)
        return redirect(url_for("web.search", q=search_id, order=form.order.data))
    search_id = request.args.get("q") or ""
    found = _saved(search_id)
    results = None
    if found is not None:
        saved = found
        for key, field in (
            ("mailbox", form.mailbox), ("sender", form.sender),
            ("category", form.category), ("escalated", form.escalated), ("text", form.text),
            ("request_kind", form.request_kind), ("rule", form.rule), ("language", form.language),
            ("attachment_verdict", form.attachment_verdict),
            ("escalation_family", form.escalation_family),
            ("deadline_status", form.deadline_status),
        ):  # fmt: skip
            field.data = saved.get(key)
        form.date_from.data = date.fromisoformat(saved["from"]) if saved.get("from") else None
        form.date_to.data = date.fromisoformat(saved["to"]) if saved.get("to") else None
        order = "oldest" if request.args.get("order") == "oldest" else "newest"
        form.order.data = order
        size = state().config.web.page_size
        # past the last page a search shows nothing; the bound keeps the offset an integer
        page = min(max(1, request.args.get("page", 1, type=int) or 1), _LAST_PAGE)
        criteria = _criteria(
            saved, newest_first=order == "newest", limit=size, offset=(page - 1) * size
        )
        total = archive().count(criteria, at_most=COUNT_AT_MOST + 1)
        page_rows = archive().search_proven(criteria)
        notes = [d.describe() for d in page_rows.disagreements]
        deadlines: dict[str, str] = {}
        if criteria.deadline_status is not None:
            deadlines, stale = _checked_deadlines(page_rows.rows, criteria.deadline_status)
            notes += stale
        account = saved.get("account") or ""
        results = SearchResults(
            search_id,
            order,
            page,
            size,
            total,
            list(page_rows.rows),
            account and masked([account]),
            deadlines,
            notes,
        )
    return render_template("search.html", form=form, results=results)


def _checked_deadlines(rows: Sequence[ProvenRow], wanted: str) -> tuple[dict[str, str], list[str]]:
    """Each row's deadline status as the case model, read from the ledger now, says it, and
    a note for every row the index found under ``wanted`` although its case does not have
    that status (shown with its real status: the index found it, the case model decides)."""
    view = archive().cases()
    today = local_date(state().clock(), state().config.classification.policy.clock)
    shown: dict[str, str] = {}
    stale: list[str] = []
    for proven in rows:
        row = proven.row
        case = view.for_record(row.record_id)
        words = deadline_filters(case, today) if case is not None else ()
        shown[row.record_id] = ", ".join(w.replace("_", " ") for w in words) or "none"
        if wanted not in words:
            log.warning("search.deadline_state_stale", record_id=row.record_id, wanted=wanted)
            stale.append(
                f"ledger position {row.seq} ({row.record_id}): the index said deadline status"
                f" {wanted.replace('_', ' ')}"
            )
    return shown, stale


@dataclass(frozen=True)
class SearchResults:
    """One page of a saved search."""

    search_id: str
    order: str
    page: int
    size: int
    total: int
    rows: list[Any]
    account: str  # the account filter, masked (the full number is never sent back)
    deadlines: dict[str, str] = field(default_factory=dict)  # record id -> case-model status
    # index rows that disagreed with their ledger entries (shown as the entries say)
    disagreements: list[str] = field(default_factory=list)

    @property
    def more(self) -> bool:
        """True when more records match than were counted."""
        return self.total > COUNT_AT_MOST

    @property
    def shown_total(self) -> str:
        """The count as the page says it."""
        return f"more than {COUNT_AT_MOST:,}" if self.more else f"{self.total:,}"

    @property
    def pages(self) -> int:
        """Number of pages (of the counted records)."""
        return max(1, -(-min(self.total, COUNT_AT_MOST) // self.size))


# -- a record ------------------------------------------------------------------------


def _reason_form() -> ReasonForm:
    return ReasonForm(required=state().config.web.view_reason_required)


@blueprint.get("/records/<rid>")
@requires(Permission.SEARCH)
def record(rid: str) -> ResponseReturnValue:
    """What the index knows (as search shows it) and the forms that open content."""
    row = archive().resolve(_record_id(rid))
    return render_template("record.html", row=row, form=_reason_form(), trail_form=_reason_form())


@blueprint.post("/records/<rid>/open")
@requires(Permission.VIEW)
def open_record(rid: str) -> ResponseReturnValue:
    """Headers, text, sanitised HTML and attachments; ``access.viewed`` appended first."""
    form = _reason_form()
    if not form.validate_on_submit():
        row = archive().resolve(_record_id(rid))
        return render_template("record.html", row=row, form=form, trail_form=_reason_form()), 400
    shown = archive().show(_record_id(rid), reason=form.reason.data or None)
    frame = frame_document(sanitize_email_html(shown.html)) if shown.html is not None else None
    text = f"{shown.body.headers.subject}\n{shown.text}"
    matches = [
        in_context(text, m.rule, m.severity, m.matched) for m in shown.body.classification.matches
    ]
    return render_template(
        "content.html",
        shown=shown,
        frame=frame,
        matches=matches,
        reason=form.reason.data or "",
        form=form,
    )


@blueprint.post("/records/<rid>/eml")
@requires(Permission.VIEW)
def download_eml(rid: str) -> ResponseReturnValue:
    """The original message bytes as ``<record id>.eml``; recorded first."""
    form = _reason_form()
    if not form.validate_on_submit():
        abort(400)
    raw = archive().raw(_record_id(rid), reason=form.reason.data or None)
    return send_file(
        io.BytesIO(raw.data),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=f"{raw.record.record_id}.eml",
    )


@blueprint.post("/records/<rid>/attachments/<sha256>")
@requires(Permission.VIEW)
def download_attachment(rid: str, sha256: str) -> ResponseReturnValue:
    """One attachment, always as a download (never rendered here); recorded first."""
    form = _reason_form()
    if not form.validate_on_submit():
        abort(400)
    if not is_sha256(sha256):
        raise RecordNotFoundError("that is not an attachment's SHA-256")
    got = archive().attachment(_record_id(rid), sha256, reason=form.reason.data or None)
    return send_file(
        io.BytesIO(got.data),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=got.attachment.safe_filename,
    )


@blueprint.post("/records/<rid>/trail")
@requires(Permission.TRAIL)
def trail(rid: str) -> ResponseReturnValue:
    """The proven timeline; the viewing is appended (and shown) first."""
    form = _reason_form()
    if not form.validate_on_submit():
        row = archive().resolve(_record_id(rid))
        return render_template("record.html", row=row, form=_reason_form(), trail_form=form), 400
    built = archive().trail(_record_id(rid), reason=form.reason.data or None)
    return render_template("trail.html", trail=built)


# -- cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """One open clock on the dashboard."""

    case: CaseStatus
    result: DeadlineResult


@blueprint.get("/cases")
@requires(Permission.CASES)
def cases() -> ResponseReturnValue:
    """What is overdue, due today, due this week, and later, per clock and route."""
    now = state().clock()
    today = local_date(now, state().config.classification.policy.clock)
    groups: dict[str, list[Due]] = {"overdue": [], "today": [], "week": [], "later": []}
    per_clock: dict[tuple[str, str], int] = {}
    for case in archive().cases().statuses:
        for result in case.deadlines:
            bucket = clock_bucket(case, result, today)
            if bucket is None:
                continue
            groups[bucket].append(Due(case, result))
            for route in case.record.rules or ("(no rule)",):
                per_clock[(result.name, route)] = per_clock.get((result.name, route), 0) + 1
    for items in groups.values():
        items.sort(key=lambda d: (d.result.due, d.case.record.seq))
    return render_template(
        "cases.html", groups=groups, per_clock=sorted(per_clock.items()), today=today
    )


def _case(rid: str) -> CaseStatus:
    found = archive().cases().for_record(rid)
    if found is not None:
        return found
    raise RecordNotFoundError(f"{rid} is not an inbound record with clocks")


@blueprint.get("/cases/<rid>")
@requires(Permission.CASES)
def case(rid: str) -> ResponseReturnValue:
    """One case: its clocks and, for supervisors, the decisions they can record."""
    found = _case(_record_id(rid))
    return render_template(
        "case.html",
        case=found,
        extend_form=ExtendForm(),
        resolve_form=ReasonForm(),
        reopen_form=ReasonForm(),
        link_form=LinkForm(),
        reclassify_form=ReclassifyForm(),
        sale_form=SaleDateForm(),
        escalation_form=EscalationForm(),
    )


@blueprint.post("/cases/<rid>/<action>")
@requires(Permission.CASE_ACTIONS)
def case_action(rid: str, action: str) -> ResponseReturnValue:
    """Extend, resolve, reopen or link, each with a reason, through the archive."""
    rid = _record_id(rid)
    if action == "extend":
        form: ReasonForm = ExtendForm()
        if form.validate_on_submit():
            days = cast(ExtendForm, form).days.data or 15
            archive().extend(rid, days, form.reason.data or "")
    elif action == "resolve":
        form = ReasonForm()
        if form.validate_on_submit():
            archive().resolve_case(rid, form.reason.data or "")
    elif action == "reopen":
        form = ReasonForm()
        if form.validate_on_submit():
            archive().reopen_case(rid, form.reason.data or None)
    elif action == "link":
        form = LinkForm()
        if form.validate_on_submit():
            archive().link_reply(form.response.data or "", rid, form.reason.data or None)
    elif action == "holding-reply":
        form = LinkForm()
        if form.validate_on_submit():
            archive().mark_holding_reply(form.response.data or "", rid, form.reason.data or "")
    elif action == "reclassify":
        form = ReclassifyForm()
        if form.validate_on_submit():
            archive().reclassify(rid, form.kinds.data or [], [], form.reason.data or "")
    elif action == "not-a-request":
        form = ReasonForm()
        if form.validate_on_submit():
            archive().mark_not_a_request(rid, form.reason.data or "")
    elif action == "sale-date":
        form = SaleDateForm()
        if form.validate_on_submit():
            archive().set_sale_date(rid, form.sale_date.data, form.reason.data or "")
    elif action == "add-escalation":
        form = EscalationForm()
        if form.validate_on_submit():
            archive().add_escalation(
                rid, form.family.data or "", form.route.data or "", form.reason.data or ""
            )
    elif action == "remove-escalation":
        form = EscalationForm()
        if form.validate_on_submit():
            archive().remove_escalation(rid, form.family.data or "", form.reason.data or "")
    else:
        abort(404)
    if form.errors:
        flash("Not recorded: " + "; ".join(e for errs in form.errors.values() for e in errs))
        return redirect(url_for("web.case", rid=rid)), 303
    flash(f"Recorded: {action} for {rid}.")
    return redirect(url_for("web.case", rid=rid)), 303


# -- holds and disposal ----------------------------------------------------------------


@blueprint.get("/holds")
@requires(Permission.HOLDS)
def holds() -> ResponseReturnValue:
    """Records under hold and why; forms to place and lift holds for supervisors."""
    return render_template(
        "holds.html",
        holds=archive().holds(),
        disposal_form=DisposalForm(),
        disposal=None,
    )


def _refs(text: str) -> list[str]:
    refs = [line.strip() for line in text.splitlines() if line.strip()]
    for ref in refs:
        _record_id(ref)
    return refs


@blueprint.post("/holds/<action>")
@requires(Permission.HOLD_ACTIONS)
def hold_action(action: str) -> ResponseReturnValue:
    """Place or lift a hold on the listed records (``hold.added``/``hold.removed``)."""
    if action not in ("place", "lift"):
        abort(404)
    form = HoldForm()
    if not form.validate_on_submit():
        flash("Not done: give record ids and a reason.")
        return redirect(url_for("web.holds")), 303
    refs = _refs(form.records.data or "")
    if action == "place":
        archive().add_hold(refs, form.reason.data or None)
    else:
        archive().remove_hold(refs, form.reason.data or "")
    flash(f"Hold {'placed on' if action == 'place' else 'lifted from'} {len(refs)} record(s).")
    return redirect(url_for("web.holds")), 303


@blueprint.post("/disposal/dry-run")
@requires(Permission.DISPOSAL)
def disposal_dry_run() -> ResponseReturnValue:
    """What a disposal would delete and what holds protect (nothing is deleted here)."""
    form = DisposalForm()
    outcome = None
    if form.validate_on_submit():
        try:
            outcome = archive().dispose(form.older_than.data or "", None, dry_run=True)
        except (ValueError, RetentionError) as exc:
            form.older_than.errors = [str(exc)]
    return render_template(
        "holds.html",
        holds=archive().holds(),
        disposal_form=form,
        disposal=outcome,
    )


# -- exports -------------------------------------------------------------------------


def _export_file(manifest: str) -> Path:
    if not is_sha256(manifest):
        raise RecordNotFoundError("that is not an export's manifest SHA-256")
    return state().exports_dir / f"{manifest}.zip"


@blueprint.get("/exports")
@requires(Permission.EXPORT)
def exports() -> ResponseReturnValue:
    """Exports on record, saved searches to build one from, and grants to examiners."""
    return render_template(
        "exports.html",
        exports=archive().exports(),
        grants=archive().grants(),
        searches=state().sessions.saved_searches(me().sid),
        jobs=_jobs().running(me().user.name),
        form=ExportForm(),
        download_form=_reason_form(),
        grant_form=GrantForm(),
        on_disk=lambda m: _export_file(m).exists(),
    )


def _jobs() -> ExportJobs:
    return ExportJobs(state().exports_dir / "jobs")


@blueprint.post("/exports")
@requires(Permission.EXPORT)
def build_export() -> ResponseReturnValue:
    """Start building an export of a saved search, every filter included; the library
    records it (``access.viewed`` + ``export.created``). Answers with the job's page."""
    form = ExportForm()
    if not form.validate_on_submit():
        flash("Not built: choose a saved search and give a reason.")
        return redirect(url_for("web.exports")), 303
    saved = _saved(form.search.data)
    if saved is None:
        raise RecordNotFoundError("that saved search is not in this session; search again")
    st = state()
    criteria = _criteria(saved, newest_first=False, limit=None, offset=0)
    criteria = replace(criteria, order="position")  # exports list records in ledger order
    reason = form.reason.data or ""
    actor = me().user.actor

    def run(progress: Callable[[str, int, int], None]) -> tuple[str, int, int]:
        # a thread of its own: its own archive (and index connection), no request context
        st.exports_dir.mkdir(parents=True, exist_ok=True)
        staging = st.exports_dir / f"building-{secrets.token_hex(8)}.zip"
        with archive_for(st, actor) as own:
            outcome = own.export(staging, criteria, reason=reason, progress=progress)
        manifest = outcome.result.manifest_sha256
        staging.replace(st.exports_dir / f"{manifest}.zip")
        return manifest, outcome.created.seq, len(outcome.result.record_ids)

    job = _jobs().start(me().user.name, run)
    return redirect(url_for("web.export_job", job_id=job.job_id)), 303


@blueprint.get("/exports/jobs/<job_id>")
@requires(Permission.EXPORT)
def export_job(job_id: str) -> ResponseReturnValue:
    """An export being built: a progress bar that refreshes itself until it is done."""
    job = _job(job_id)
    g.scripts = not job.finished  # export-progress.js polls the state below
    return render_template("export_job.html", job=job, download_form=_reason_form())


@blueprint.get("/exports/jobs/<job_id>/state")
@requires(Permission.EXPORT)
def export_job_state(job_id: str) -> ResponseReturnValue:
    """The job's state as JSON, for the progress page's script."""
    job = _job(job_id)
    return {"state": job.state, "phase": job.phase, "step": job.step, "steps": job.steps}


def _job(job_id: str) -> ExportJob:
    job = _jobs().get(job_id, me().user.name)
    if job is None:
        raise RecordNotFoundError("no export job of yours has that id")
    return job


@blueprint.post("/exports/<manifest>.zip")
@signed_in
def download_export(manifest: str) -> ResponseReturnValue:
    """An export, as a download: officers may take any, examiners only those granted to
    them (the accounts' rule); the taking is recorded first, with its reason."""
    form = _reason_form()
    if not form.validate_on_submit():
        abort(400)
    path = _export_file(manifest)
    if not path.exists():
        raise RecordNotFoundError("that export's file is not kept by this app")
    state().people.take_export(archive(), me().user, manifest, form.reason.data or None)
    return send_file(
        path,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"export-{manifest[:16]}.zip",
    )


@blueprint.post("/exports/<int:seq>/grant")
@requires(Permission.EXPORT)
def grant_export(seq: int) -> ResponseReturnValue:
    """Give an export to an examiner (``export.granted``)."""
    form = GrantForm()
    if not form.validate_on_submit():
        flash("Not granted: give the examiner's account and a reason.")
        return redirect(url_for("web.exports")), 303
    name = (form.examiner.data or "").strip().lower()
    try:
        state().people.grant_export(archive(), seq, name, form.reason.data or None)
    except AccountError as exc:
        flash(f"Not granted: {exc}.")
        return redirect(url_for("web.exports")), 303
    flash(f"Export at position {seq} granted to {name}.")
    return redirect(url_for("web.exports")), 303


@blueprint.get("/examine")
@requires(Permission.EXAMINE)
def examine() -> ResponseReturnValue:
    """The exports granted to me, and a form to verify a production."""
    return render_template(
        "examine.html",
        grants=archive().grants(me().user.name),
        form=VerifyForm(),
        report=None,
        download_form=_reason_form(),
    )


@blueprint.post("/examine/verify")
@requires(Permission.EXAMINE)
def verify_upload() -> ResponseReturnValue:
    """Run the shipped verifier's checks on an uploaded export, against our signing keys."""
    form = VerifyForm()
    report = None
    if form.validate_on_submit():
        keys = "\n".join(k.to_text() for k in verifier_keys(state().config))
        with tempfile.TemporaryDirectory(prefix="mailledger-verify-") as tmp:
            path = Path(tmp) / "upload.zip"  # never the uploaded name: no path tricks
            form.bundle.data.save(path)
            try:
                report = verify_bundle(path, keys)
            except UsageError as exc:
                raise ExportError(str(exc)) from exc
            report.bundle = form.bundle.data.filename or "upload.zip"
    return render_template(
        "examine.html",
        grants=archive().grants(me().user.name),
        form=form,
        report=report,
        download_form=_reason_form(),
    )


# -- reports and health ---------------------------------------------------------------


def _period() -> tuple[date | None, date | None]:
    try:
        start, end = (
            check_day(date.fromisoformat(request.args[key])) if request.args.get(key) else None
            for key in ("from", "to")
        )
    except ValueError as exc:
        abort(400, description=f"The period is not usable: {exc}.")
    return start, end


@blueprint.get("/reports")
@requires(Permission.REPORTS)
def reports() -> ResponseReturnValue:
    """The SLA report's figures for a period, with downloads."""
    start, end = _period()
    report = archive().sla_report(start, end)
    return render_template("reports.html", report=report, start=start, end=end)


@blueprint.get("/reports/sla.<fmt>")
@requires(Permission.REPORTS)
def report_download(fmt: str) -> ResponseReturnValue:
    """The SLA report as HTML (with charts), CSV or JSON, as a download."""
    from pipeline.report.render import render_csv, render_json

    start, end = _period()
    report = archive().sla_report(start, end)
    if fmt == "html":
        from pipeline.report.html import render_html

        text, mime = render_html(report), "text/html"
    elif fmt == "csv":
        text, mime = render_csv(report), "text/csv"
    elif fmt == "json":
        text, mime = render_json(report), "application/json"
    else:
        abort(404)
    return send_file(
        io.BytesIO(text.encode("utf-8")),
        mimetype=mime,
        as_attachment=True,
        download_name=f"sla-report.{fmt}",
    )


@blueprint.get("/health")
@requires(Permission.HEALTH)
def health() -> ResponseReturnValue:
    """Latest signed checkpoint and its age, mailboxes' last reconciliation, pending events."""
    found = archive().health()
    now = state().clock()
    age = None
    if found.checkpoint_time:
        age = now - datetime.fromisoformat(found.checkpoint_time.replace("Z", "+00:00"))
    return render_template("health.html", health=found, age=age)


# -- accounts ---------------------------------------------------------------------------


@blueprint.get("/admin/users")
@requires(Permission.USERS)
def users() -> ResponseReturnValue:
    """Accounts and their roles."""
    return render_template(
        "users.html",
        users=state().people.directory.all(),
        form=UserForm(),
        roles_form=RolesForm(),
    )


@blueprint.post("/admin/users")
@requires(Permission.USERS)
def add_user() -> ResponseReturnValue:
    """Create a local account (``user.roles_changed`` from no roles)."""
    form = UserForm()
    if form.validate_on_submit():
        state().people.add_user(
            archive(),
            (form.name.data or "").strip().lower(),
            parse_roles(form.roles.data or []),
            form.password.data,
            form.reason.data or None,
        )
        flash(f"Account {form.name.data} created.")
        return redirect(url_for("web.users")), 303
    return render_template(
        "users.html", users=state().people.directory.all(), form=form, roles_form=RolesForm()
    ), 400


@blueprint.post("/admin/users/<name>/roles")
@requires(Permission.USERS)
def set_roles(name: str) -> ResponseReturnValue:
    """Change roles (``user.roles_changed``); the account's sessions end."""
    form = RolesForm()
    if not form.validate_on_submit():
        flash("Not changed: give a reason.")
        return redirect(url_for("web.users")), 303
    changed = state().people.set_roles(
        archive(), name, parse_roles(form.roles.data or []), form.reason.data
    )
    state().sessions.end_user(changed.name)
    flash(f"Roles of {changed.name} changed.")
    return redirect(url_for("web.users")), 303
