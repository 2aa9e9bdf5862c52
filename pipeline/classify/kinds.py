"""The shared vocabulary of what a servicing message is: request kinds, escalation
families, machine-mail kinds, and the evidence behind each decision.

Other stages (clocks, cases, reports, handlers) build on these names: renaming one
changes what the ledger says, so add, never rename.

* Request kinds follow Regulation X/Z: a notice of error (12 CFR 1024.35), a request
  for information (1024.36), a payoff statement request (1026.36(c)(3)), a
  loss-mitigation application (1024.41). A message carries a tuple of them (empty:
  none of these).
* Subkinds change a clock: an error about the payoff balance (1024.35(e)(3)(i)(A),
  7 days), an error about a foreclosure sale (1024.35(e)(3)(i)(B), before the sale),
  a request for the owner's identity (1024.36(d)(2)(i)(A), 10 days).
* Escalation families say who must look at the message; each has a route and a
  severity (``default_rules.yaml``). ``notice_of_error`` always routes to the
  error-resolution desk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

__all__ = [
    "ESCALATION_FAMILIES",
    "MACHINE_KINDS",
    "REQUEST_KINDS",
    "REQUEST_SUBKINDS",
    "EscalationFamily",
    "Evidence",
    "FamilyHit",
    "LanguageGuess",
    "MachineKind",
    "MachineVerdict",
    "RequestKind",
    "RequestSubkind",
    "Suppression",
    "SuppressionReason",
]

RequestKind = Literal[
    "notice_of_error",
    "request_for_information",
    "payoff_statement",
    "loss_mitigation_application",
]
RequestSubkind = Literal["payoff_balance_error", "foreclosure_sale_error", "owner_identity"]
EscalationFamily = Literal[
    "notice_of_error",
    "legal_representation",
    "regulator_complaint",
    "bankruptcy",
    "foreclosure_sale",
    "fraud_identity_theft",
    "elder_exploitation",
    "servicemember",
    "successor_in_interest",
    "discrimination",
    "disaster_hardship",
    "media_threat",
    "complaint",
]
MachineKind = Literal[
    "auto_reply",
    "out_of_office",
    "dsn",
    "mdn",
    "mailing_list",
    "newsletter",
    "notification",
]
SuppressionReason = Literal[
    "negation",
    "resolution",
    "quoted",
    "disclaimer",
    "signature",
    "spoofed",
    "other_party",
    "own_fault",
    "disputed_charge",
    "impostor_act",
    "suspicion",
    "seen_in_media",
    "joke",
    "closing_firm",
    "not_counsel",
    "no_claim",
    "unasserted",
    "model_doubt",
]

REQUEST_KINDS: tuple[RequestKind, ...] = get_args(RequestKind)
REQUEST_SUBKINDS: tuple[RequestSubkind, ...] = get_args(RequestSubkind)
ESCALATION_FAMILIES: tuple[EscalationFamily, ...] = get_args(EscalationFamily)
MACHINE_KINDS: tuple[MachineKind, ...] = get_args(MachineKind)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a decision was taken: which rule or signal, where, in which language.

    ``start``/``end`` index the original text of ``field`` (for attachment fields,
    the item ``item``); ``matched`` is that text. ``signal`` names a combined signal
    (for example an error assertion next to a servicing object) when the decision
    came from two matches rather than one rule.
    """

    rule: str
    field: str
    start: int
    end: int
    matched: str
    language: str
    item: int = 0
    signal: str | None = None
    # A statistical decision's value, and which model decided at which threshold
    # ("recogniser 1f2e3d4c5b6a7980 threshold 1.2"), so an old decision can be explained
    # after the model is retrained.
    score: float | None = None
    model: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for the ledger."""
        out: dict[str, Any] = {
            "rule": self.rule,
            "field": self.field,
            "item": self.item,
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
            "language": self.language,
            "signal": self.signal,
        }
        if self.score is not None:
            # 3-decimal text, like the language confidence: no floats in JCS entries.
            out["score"] = f"{self.score:.3f}"
        if self.model is not None:
            out["model"] = self.model
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Evidence:
        """Rebuild from :meth:`to_json`."""
        return cls(
            rule=data["rule"],
            field=data["field"],
            start=data["start"],
            end=data["end"],
            matched=data["matched"],
            language=data["language"],
            item=data.get("item", 0),
            signal=data.get("signal"),
            score=float(data["score"]) if data.get("score") is not None else None,
            model=data.get("model"),
        )


@dataclass(frozen=True, slots=True)
class FamilyHit:
    """One escalation family found in a message, with its route, severity and evidence."""

    family: EscalationFamily
    route: str
    severity: str
    evidence: tuple[Evidence, ...]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for the ledger."""
        return {
            "family": self.family,
            "route": self.route,
            "severity": self.severity,
            "evidence": [e.to_json() for e in self.evidence],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FamilyHit:
        """Rebuild from :meth:`to_json`."""
        return cls(
            family=data["family"],
            route=data["route"],
            severity=data["severity"],
            evidence=tuple(Evidence.from_json(e) for e in data["evidence"]),
        )


@dataclass(frozen=True, slots=True)
class Suppression:
    """A match that did not count, and what stopped it.

    ``cue`` is the text that suppressed it: the negation word, the resolution phrase,
    the quotation header or marker, the disclaimer's opening words.
    """

    reason: SuppressionReason
    rule: str
    field: str
    start: int
    end: int
    matched: str
    cue: str

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for the ledger."""
        return {
            "reason": self.reason,
            "rule": self.rule,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
            "cue": self.cue,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Suppression:
        """Rebuild from :meth:`to_json`."""
        return cls(
            reason=data["reason"],
            rule=data["rule"],
            field=data["field"],
            start=data["start"],
            end=data["end"],
            matched=data["matched"],
            cue=data["cue"],
        )


@dataclass(frozen=True, slots=True)
class MachineVerdict:
    """Whether a message was written by a machine (never acknowledged, never on a clock).

    ``evidence`` lists what decided it, as ``header:Name=value``, ``content-type:...``,
    ``subject:...`` or ``body:...`` strings (header values and matched phrases only,
    never the message text around them).
    """

    is_machine: bool
    kind: MachineKind | None = None
    evidence: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for the ledger."""
        return {"is_machine": self.is_machine, "kind": self.kind, "evidence": list(self.evidence)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MachineVerdict:
        """Rebuild from :meth:`to_json`."""
        return cls(
            is_machine=data["is_machine"], kind=data["kind"], evidence=tuple(data["evidence"])
        )


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """The message's language (ISO 639-1), the detector's confidence (0-1), the script
    for Chinese (``hans``/``hant``), and a second language when the writer switches
    between two (Spanglish, Taglish)."""

    code: str
    confidence: float
    script: str | None = None
    secondary: str | None = None
    method: str = "lingua"

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for the ledger (confidence as a 3-decimal string: no floats in JCS
        entries that must hash the same on every platform)."""
        return {
            "code": self.code,
            "confidence": f"{self.confidence:.3f}",
            "script": self.script,
            "secondary": self.secondary,
            "method": self.method,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LanguageGuess:
        """Rebuild from :meth:`to_json`."""
        return cls(
            code=data["code"],
            confidence=float(data["confidence"]),
            script=data.get("script"),
            secondary=data.get("secondary"),
            method=data.get("method", "lingua"),
        )
