"""A client of an external C2SP ``tlog-witness`` (c2sp.org/tlog-witness).

The log submits its checkpoint with a consistency proof from the size the witness
last cosigned; the witness checks the log key's signature and the proof, records
the new size and returns its cosignature (:mod:`pipeline.ledger.cosignature`). A
witness that has cosigned a larger tree than the log now has, or a history the log
no longer extends, refuses: a cut or rewritten log is then caught by a party the
servicer's writers cannot reach at all.

The client does not remember what the witness saw: it first submits with old size 0
and, when the witness answers 409 with the size it holds, proves consistency from
there (the protocol allows exactly this).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx

from pipeline.errors import CheckpointError, WitnessAheadError, WitnessError
from pipeline.ledger.checkpoint import parse_checkpoint_body
from pipeline.ledger.cosignature import (
    Cosignature,
    CosignerKey,
    add_checkpoint_body,
    verify_cosignature,
)

SIZE_CONTENT_TYPE = "text/x.tlog.size"


class ConsistencyProofs(Protocol):
    """Whatever can prove the log's tree of one size a prefix of a larger one: a whole
    :class:`pipeline.merkle.MerkleTree`, or :class:`pipeline.ledger.relay.StoreLeaves`,
    which reads only the leaves appended since."""

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """RFC 6962 PROOF(old_size, D[new_size])."""
        ...


@dataclass(frozen=True)
class TlogWitnessSettings:
    """Where a witness takes submissions and the key it cosigns with."""

    url: str  # the submission prefix; requests go to <url>/add-checkpoint
    key: CosignerKey
    timeout_seconds: float = 10.0


class _OldSizeMismatch(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class TlogWitnessClient:
    """Submits checkpoints to one witness and checks the cosignature it returns."""

    def __init__(self, settings: TlogWitnessSettings, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.name = settings.key.name
        self._client = (
            client if client is not None else httpx.Client(timeout=settings.timeout_seconds)
        )

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def cosign(self, tree: ConsistencyProofs, note: str) -> Cosignature:
        """The witness's cosignature on ``note``, the signed checkpoint of ``tree``.

        Raises :class:`WitnessError` when the witness refuses, naming why: above all
        when it has cosigned a larger tree (the log was cut) or a history this log does
        not extend (it was rewritten).
        """
        body, _, _ = note.partition("\n\n")
        size = parse_checkpoint_body(body + "\n").size
        try:
            return self._add(0, [], note)
        except _OldSizeMismatch as mismatch:
            held = mismatch.size
        if held > size:
            raise WitnessAheadError(
                f"witness {self.name!r} has cosigned a checkpoint of size {held} but the log has"
                f" {size} entries: entries {size} to {held - 1} were removed (truncated tail)",
                held,
            )
        try:
            return self._add(held, tree.consistency_proof(held, size), note)
        except _OldSizeMismatch as again:
            if again.size == held:  # some witnesses label the same-size conflict with a size
                raise WitnessError(
                    f"witness {self.name!r} refused the checkpoint: {_refusal(409, held)}"
                ) from None
            raise WitnessError(
                f"witness {self.name!r} moved from size {held} to {again.size} while this"
                " checkpoint was submitted: another submitter is active; try again"
            ) from None

    def _add(self, old_size: int, proof: list[bytes], note: str) -> Cosignature:
        url = self.settings.url.rstrip("/") + "/add-checkpoint"
        try:
            response = self._client.post(url, content=add_checkpoint_body(old_size, proof, note))
        except httpx.HTTPError as exc:
            raise WitnessError(
                f"witness {self.name!r} at {url} could not be reached: {exc}"
            ) from exc
        status = response.status_code
        if status == 200:
            body, _, _ = note.partition("\n\n")
            try:
                return verify_cosignature(body + "\n", response.text, self.settings.key)
            except CheckpointError as exc:
                raise WitnessError(f"witness {self.name!r} answered, but {exc}") from exc
        if status == 409 and response.headers.get("content-type", "").startswith(SIZE_CONTENT_TYPE):
            text = response.text.strip()
            if not text.isdigit():
                raise WitnessError(f"witness {self.name!r} answered 409 without a tree size")
            raise _OldSizeMismatch(int(text))
        raise WitnessError(
            f"witness {self.name!r} refused the checkpoint: {_refusal(status, old_size)}"
        )


def _refusal(status: int, old_size: int) -> str:
    """What a tlog-witness status code means for the log."""
    reasons = {
        400: "it found the request malformed (400)",
        403: "no log key it trusts signed the checkpoint (403): it has another key for this log",
        404: "it does not know this log's origin (404): register the log with the witness",
        409: (
            f"it has cosigned another checkpoint of the same size {old_size} (409): the log"
            " was rewritten or has forked"
        ),
        422: (
            f"the consistency proof from the size it cosigned ({old_size}) does not verify"
            " (422): the log no longer extends the history the witness cosigned (rewritten"
            " or forked)"
        ),
    }
    return reasons.get(status, f"HTTP status {status}")
