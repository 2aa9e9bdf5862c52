"""The app's forms (Flask-WTF: each carries and checks a CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    Field,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from pipeline.archive.people import Role
from pipeline.cases.read import DEADLINE_FILTERS
from pipeline.classify.kinds import ESCALATION_FAMILIES, REQUEST_KINDS
from pipeline.index.model import check_day


def _options(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    """Select options as WTForms 3.3 declares them (plain pairs are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


def _a_usable_day(form: FlaskForm, field: Field) -> None:
    """A date within the days a search or a clock may name (the index's rule)."""
    if field.data is not None:
        try:
            check_day(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class SignInForm(FlaskForm):
    """Account name and password."""

    name = StringField("Account name", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class ActionForm(FlaskForm):
    """A form with only its CSRF token (sign-out)."""


class ReasonForm(FlaskForm):
    """Why a person opens content; required unless the configuration says otherwise."""

    reason = StringField("Reason for access", validators=[Length(max=500)])

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reason.validators = [
            DataRequired(message="Give a reason (it is recorded in the ledger).")
            if required
            else Optional(),
            Length(min=3 if required else 0, max=500),
        ]
        self.reason.flags.required = required


class SearchForm(FlaskForm):
    """Filters the records index supports."""

    date_from = DateField("Received from", validators=[Optional(), _a_usable_day])
    date_to = DateField("Received to (inclusive)", validators=[Optional(), _a_usable_day])
    mailbox = StringField("Mailbox", validators=[Optional(), Length(max=200)])
    sender = StringField("Sender address or @domain", validators=[Optional(), Length(max=320)])
    account = StringField("Account number", validators=[Optional(), Length(max=40)])
    category = StringField("Category", validators=[Optional(), Length(max=100)])
    escalated = SelectField(
        "Escalation",
        choices=_options([("", "Any"), ("yes", "Escalated"), ("no", "Not escalated")]),
        validators=[Optional()],
    )
    request_kind = SelectField(
        "Request kind",
        choices=_options([("", "Any"), *((k, k.replace("_", " ")) for k in REQUEST_KINDS)]),
        validators=[Optional()],
    )
    escalation_family = SelectField(
        "Escalation family",
        choices=_options([("", "Any"), *((f, f.replace("_", " ")) for f in ESCALATION_FAMILIES)]),
        validators=[Optional()],
    )
    rule = StringField("Escalation rule", validators=[Optional(), Length(max=100)])
    language = StringField("Language (e.g. en, es)", validators=[Optional(), Length(max=10)])
    attachment_verdict = SelectField(
        "Attachments",
        choices=_options(
            [
                ("", "Any"),
                ("rejected", "Some rejected"),
                ("accepted", "All accepted"),
                ("none", "No attachments"),
            ]
        ),
        validators=[Optional()],
    )
    deadline_status = SelectField(
        "Deadline status",
        choices=_options([("", "Any"), *((d, d.replace("_", " ")) for d in DEADLINE_FILTERS)]),
        validators=[Optional()],
    )
    text = StringField("Words in subject, text or attachment names", validators=[Length(max=500)])
    order = SelectField(
        "Order",
        choices=_options(
            [("newest", "Newest received first"), ("oldest", "Oldest received first")]
        ),
        default="newest",
    )


class ExtendForm(ReasonForm):
    """Extend the respond clock."""

    days = IntegerField("Business days to add", default=15, validators=[NumberRange(1, 15)])


class LinkForm(ReasonForm):
    """Link a recorded reply to the request it answers."""

    response = StringField("Reply (record id or Message-ID)", validators=[DataRequired()])


class ReclassifyForm(ReasonForm):
    """Correct the request kinds (the clocks are recomputed)."""

    kinds = SelectMultipleField(
        "Request kinds", choices=_options([(k, k.replace("_", " ")) for k in REQUEST_KINDS])
    )


class SaleDateForm(ReasonForm):
    """Set the foreclosure sale date that bounds the respond clock."""

    sale_date = DateField("Foreclosure sale date", validators=[DataRequired(), _a_usable_day])


class EscalationForm(ReasonForm):
    """Escalate by hand, or withdraw an escalation family."""

    family = StringField("Escalation family", validators=[DataRequired(), Length(max=100)])
    route = StringField("Route", validators=[Optional(), Length(max=200)])


class HoldForm(ReasonForm):
    """Place or lift a hold on records."""

    records = TextAreaField(
        "Record ids, one per line", validators=[DataRequired(), Length(max=20000)]
    )


class ExportForm(ReasonForm):
    """Build an export from a saved search."""

    search = StringField("Saved search", validators=[DataRequired(), Length(max=64)])


class GrantForm(ReasonForm):
    """Give an export to an examiner."""

    examiner = StringField("Examiner's account name", validators=[DataRequired(), Length(max=64)])


class VerifyForm(FlaskForm):
    """An export (.zip) to check."""

    bundle = FileField("Export (.zip)", validators=[FileRequired()])


class UserForm(FlaskForm):
    """A new local account."""

    name = StringField("Account name", validators=[DataRequired(), Length(max=64)])
    roles = SelectMultipleField(
        "Roles", choices=_options([(r.value, r.label) for r in Role]), validators=[InputRequired()]
    )
    password = PasswordField("Initial password", validators=[DataRequired(), Length(12, 1024)])
    reason = StringField("Reason", validators=[Optional(), Length(max=500)])


class RolesForm(FlaskForm):
    """Change an account's roles (none: disable it)."""

    roles = SelectMultipleField("Roles", choices=_options([(r.value, r.label) for r in Role]))
    reason = StringField("Reason", validators=[DataRequired(), Length(3, 500)])


class DisposalForm(FlaskForm):
    """Disposal dry run."""

    older_than = StringField(
        "Received more than (e.g. 7y, 2555d) ago", validators=[DataRequired(), Length(max=20)]
    )
