"""Inputs the long fuzz runs found; each once crashed ``assemble``."""

from __future__ import annotations

from pipeline.ledger.entry import canonical_json
from pipeline.record.assemble import assemble
from tests.fuzz.test_fuzz_assemble import SETTINGS, SOURCE


def test_a_charset_name_with_a_nul_byte_is_a_defect_not_a_crash() -> None:
    raw = (
        b"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\x00\n"
        b"Content-Transfer-Encoding: 7bit\n\nhello\n"
    )

    record = assemble(raw, SOURCE, SETTINGS)

    assert canonical_json(record.body)
    assert any("unknown charset" in defect for defect in record.body["defects"])
