"""A small C2SP ``tlog-witness`` (c2sp.org/tlog-witness) for the tests: HTTP on loopback.

It follows the protocol's rules for ``POST <prefix>/add-checkpoint``: 404 for an unknown
origin, 403 when no trusted log key signed the checkpoint, 400 when the old size exceeds
the new one, 409 with ``text/x.tlog.size`` when the old size is not the one it last
cosigned, 422 when the RFC 6962 consistency proof fails, 409 for another root at the same
size; otherwise it records the new size and root (persisted to a JSON file before it
answers, atomically with the check) and answers with its Ed25519 cosignature/v1 line.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from pipeline.demo.processes import LOOPBACK
from pipeline.errors import CheckpointError
from pipeline.ledger.checkpoint import SigningKey, VerifierKey, verify_note
from pipeline.ledger.cosignature import CosignerKey, cosign, parse_add_checkpoint
from pipeline.merkle import verify_consistency
from tests.harness._http import LoopbackService, read_body


class TlogWitnessServer(LoopbackService):
    """One witness (name and key ``cosigner``) trusting ``logs``: origin -> log keys."""

    def __init__(
        self,
        cosigner: SigningKey,
        logs: dict[str, list[VerifierKey]],
        state_file: Path,
        max_lifetime: float = 600.0,
    ) -> None:
        """Prepare (not start) the witness; its state lives in ``state_file``."""
        self.cosigner = cosigner
        self.logs = logs
        self.state_file = state_file
        self.max_lifetime = max_lifetime
        self.statuses: list[int] = []  # every answer, in order
        self._lock = threading.Lock()

    @property
    def key(self) -> CosignerKey:
        """The public key clients check cosignatures with."""
        return CosignerKey.of(self.cosigner)

    @property
    def url(self) -> str:
        """The submission prefix."""
        if self._server is None:
            raise RuntimeError("witness not started")
        return f"http://{LOOPBACK}:{self._server.server_address[1]}/witness"

    def cosigned(self, origin: str) -> tuple[int, bytes] | None:
        """The size and root it last cosigned for ``origin``."""
        state = self._load().get(origin)
        return None if state is None else (state["size"], base64.b64decode(state["root"]))

    def _load(self) -> dict[str, dict[str, object]]:
        if not self.state_file.exists():
            return {}
        loaded: dict[str, dict[str, object]] = json.loads(self.state_file.read_text())
        return loaded

    def _save(self, state: dict[str, dict[str, object]]) -> None:
        temporary = self.state_file.with_suffix(".tmp")
        with temporary.open("w") as handle:
            json.dump(state, handle)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self.state_file)

    def _answer(self, body: bytes) -> tuple[int, str, bytes]:
        """(status, content type, body) for one add-checkpoint request."""
        try:
            request = parse_add_checkpoint(body)
            note_body = request.note.partition("\n\n")[0] + "\n"
            origin = note_body.split("\n", 1)[0]
        except CheckpointError as exc:
            return 400, "text/plain", f"{exc}\n".encode()
        keys = self.logs.get(origin)
        if keys is None:
            return 404, "text/plain", b"unknown log\n"
        try:
            signed = verify_note(request.note, keys, origin=origin)
        except CheckpointError as exc:
            return 403, "text/plain", f"{exc}\n".encode()
        size, root = signed.checkpoint.size, signed.checkpoint.root
        if request.old_size > size:
            return 400, "text/plain", b"old size is larger than the checkpoint\n"
        with self._lock:  # the check and the update are one step (the spec's race)
            state = self._load()
            held = state.get(origin)
            held_size = int(str(held["size"])) if held else 0
            if request.old_size != held_size:
                return 409, "text/x.tlog.size", f"{held_size}\n".encode()
            held_root = base64.b64decode(str(held["root"])) if held else b""
            if request.old_size and not verify_consistency(
                request.old_size, size, held_root, root, request.proof
            ):
                if request.old_size == size:
                    return 409, "text/plain", b"another root at the same size\n"
                return 422, "text/plain", b"consistency proof does not verify\n"
            if not request.old_size and request.proof:
                return 422, "text/plain", b"the proof from size 0 must be empty\n"
            state[origin] = {"size": size, "root": base64.b64encode(root).decode()}
            self._save(state)
        return 200, "text/plain", cosign(note_body, self.cosigner, int(time.time())).encode()

    def start(self) -> TlogWitnessServer:
        """Listen and serve in background threads."""
        if self._server is not None:
            return self
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: tests read :attr:`TlogWitnessServer.statuses`."""

            def do_POST(self) -> None:
                body = read_body(self)
                if self.path != "/witness/add-checkpoint":
                    status, kind, payload = 404, "text/plain", b"not found\n"
                else:
                    status, kind, payload = owner._answer(body)
                owner.statuses.append(status)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.serve(Handler, "tlog-witness", self.max_lifetime)
        return self
