"""Whether a recorded message was sent by a machine (pure; no I/O).

Nobody owes an auto-reply, a mailing-list post or a bounce an acknowledgment or an
answer, so such a message's clocks are "not applicable", never "missed". The header
tests are those of RFC 3834 (sections 2, 3.1.8 and 5) and RFC 2369 / 2919, the same
that stop the acknowledgment handler from answering; the reason codes are the ones it
records in ``acknowledgment.skipped``.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.classify.machine import is_machine_address

__all__ = ["machine_reason"]


def machine_reason(
    *,
    auto_submitted: str | None,
    precedence: str | None,
    list_id: str | None,
    return_path: str | None,
    senders: Iterable[str],
    list_headers: Iterable[str] = (),
) -> str | None:
    """The reason code when the headers say a machine sent the message, else None."""
    auto = (auto_submitted or "").strip()
    if auto and auto.split(";", 1)[0].strip().lower() != "no":
        return "auto-submitted"
    if (precedence or "").strip().lower() in ("bulk", "list", "junk"):
        return "precedence-bulk-list-junk"
    if list_id or any(h.lower().startswith("list-") for h in list_headers):
        return "mailing-list"
    if return_path is not None and return_path.strip() in ("<>", ""):
        return "empty-return-path"
    if any(is_machine_address(address) for address in senders):
        return "machine-sender"
    return None
