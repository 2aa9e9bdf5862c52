"""Why classification decided what it did, in lines a records officer can read (pure).

Every decision the classifier records is shown with its evidence: the language and
how sure it was, whether a machine wrote the mail, each escalation family and each
request kind with the rule or signal, field, span and words that decided it, and
each match that did NOT count with the cue that stopped it.
"""

from __future__ import annotations

from pipeline.entries.models import ClassificationBody, EvidenceBody

__all__ = ["SUPPRESSION_REASONS", "explain_classification"]

# The classifier's suppression reasons (pipeline.classify.kinds.SuppressionReason), in words.
SUPPRESSION_REASONS: dict[str, str] = {
    "negation": "negated",
    "resolution": "the writer says it is resolved",
    "quoted": "quoted history from an earlier message",
    "disclaimer": "a disclaimer or boilerplate footer",
    "signature": "the signature block",
    "spoofed": "mail claiming to be ours",
    "other_party": "about someone else's situation",
    "own_fault": "the writer says the mistake was their own",
    "disputed_charge": "the writer disputes a charge, not a stolen identity",
    "impostor_act": "an impostor's act in a fraud report, not a servicing error",
    "suspicion": "a scam only suspected by a writer who did not fall for it",
    "seen_in_media": "where the writer saw or heard something, not a threat to go to the media",
    "joke": "a threat the writer says was a joke",
    "closing_firm": "a law office ordering a payoff or closing a sale, not counsel against us",
    "not_counsel": "a counsellor, agent or other professional's client, not a lawyer's",
    "no_claim": "the writer says they claim no error, or that the mistake was not the servicer's",
    "unasserted": "a mistake the writer fears or asks about, not one they say happened",
    "model_doubt": "the sender's own words read overwhelmingly as mail needing no escalation",
}


def _evidence(e: EvidenceBody) -> str:
    signal = f" (signal {e.signal})" if e.signal else ""
    if e.score is not None:
        signal += f" score {e.score}"
    if e.model is not None:
        signal += f" ({e.model})"
    return (
        f"rule {e.rule}{signal} matched {e.matched!r} in {e.field} [{e.start}:{e.end}]"
        f" ({e.language})"
    )


def explain_classification(c: ClassificationBody) -> list[str]:
    """The decision lines of one classification, in a fixed order.

    Records classified before evidence was kept (schema 1) give only what they carry.
    """
    out: list[str] = []
    if c.language_detail is not None:
        d = c.language_detail
        extra = "".join(
            f", {label} {value}"
            for label, value in (("script", d.script), ("also", d.secondary))
            if value
        )
        out.append(f"language {d.code} (confidence {d.confidence}{extra}; by {d.method})")
    elif c.language:
        out.append(f"language {c.language}")
    if c.ack_languages:
        out.append(f"acknowledge in {'+'.join(c.ack_languages)}")
    if c.machine is not None:
        if c.machine.is_machine:
            why = "; ".join(c.machine.evidence) or "no evidence recorded"
            out.append(f"machine mail: YES ({c.machine.kind or 'machine'}): {why}")
        else:
            out.append("machine mail: no (a person wrote it)")
    for f in c.escalation_families:
        out.append(f"escalation {f.family}: route {f.route}, severity {f.severity}")
        out += [f"  evidence: {_evidence(e)}" for e in f.evidence]
    for k in c.kind_evidence:
        out.append(f"request kind {k.kind}: {_evidence(k.evidence)}")
    for s in c.suppressions:
        why = SUPPRESSION_REASONS.get(s.reason, s.reason)
        out.append(
            f"SUPPRESSED rule {s.rule}: {s.matched!r} in {s.field} [{s.start}:{s.end}]"
            f" did not count - {s.reason}: {why} (cue {s.cue!r})"
        )
    return out
