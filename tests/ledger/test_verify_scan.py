"""What the content check of verify finds in an entry line: every stored object its body
names, wherever it sits, however the line spells it."""

from __future__ import annotations

import json

from pipeline.hashing import object_key
from pipeline.ledger.verify import scan_entry

A, B, C = "a" * 64, "b" * 64, "c" * 64


def _line(body: dict, indent: int | None = None) -> bytes:
    entry = {"actor": "w", "body": body, "prev": "0" * 64, "seq": 0, "time": "t", "type": "x"}
    separators = (",", ":") if indent is None else (",", " : ")
    return json.dumps(entry, sort_keys=True, indent=indent, separators=separators).encode()


def _ref(digest: str) -> dict[str, object]:
    return {"key": object_key(digest), "sha256": digest, "size": 1}


def test_scan_finds_references_at_every_depth_of_the_body():
    body = {
        "raw": _ref(A),
        "classification": {"matches": [{"rule": "r", "spans": [[1, 2]]} for _ in range(50)]},
        "deep": {"a": [{"b": {"c": [_ref(B)]}}]},
    }
    scanned = scan_entry(_line(body))
    assert scanned is not None
    assert sorted(scanned.refs) == sorted([(object_key(A), A), (object_key(B), B)])


def test_scan_finds_a_reference_whose_member_name_is_spelled_with_escapes():
    line = _line({"raw": _ref(A), "deep": {"x": [{"y": _ref(B)}]}})
    # the same JSON, with the deeper reference's "key" spelled \u006bey
    escaped = line.replace(b'{"y":{"key"', b'{"y":{"\\u006bey"')
    assert escaped != line
    scanned = scan_entry(escaped)
    assert scanned is not None
    assert sorted(scanned.refs) == sorted([(object_key(A), A), (object_key(B), B)])


def test_scan_finds_references_in_a_line_with_spaces_around_member_names():
    line = _line({"raw": _ref(A), "deep": {"x": [_ref(B)]}}, indent=2)
    scanned = scan_entry(line)
    assert scanned is not None
    assert sorted(scanned.refs) == sorted([(object_key(A), A), (object_key(B), B)])


def test_scan_counts_hash_only_fields_and_ignores_the_entry_itself():
    line = json.dumps(
        {"body": {"ack_sha256": C}, "key": "objects/x", "sha256": A, "seq": 0, "type": "x"}
    ).encode()
    scanned = scan_entry(line)
    assert scanned is not None
    assert scanned.refs == [(object_key(C), C)]


def test_scan_gives_none_for_a_line_that_is_not_an_entry():
    assert scan_entry(b'{"body": [1], "type": "x"}') is None
    assert scan_entry(b"not json") is None


def test_scan_reads_lines_only_the_standard_json_decoder_accepts():
    # NaN and a lone surrogate are not JSON a writer produces, but Python's decoder reads
    # them; the references of such a line are still checked
    line = _line({"raw": _ref(A), "x": "\ud800"}).replace(b'"x":"\\ud800"', b'"x":NaN')
    assert b"NaN" in line
    scanned = scan_entry(line)
    assert scanned is not None
    assert scanned.refs == [(object_key(A), A)]


def _record_body(*extra_refs: tuple[str, dict[str, object]]) -> dict[str, object]:
    """A body shaped like a record's: raw, bodies, attachments, a large classification."""
    body: dict[str, object] = {
        "raw": _ref(A),
        "bodies": {"text": _ref(B), "html": None, "html_text": None},
        "attachments": [{**_ref(C), "filename": "statement.pdf", "verdict": "accepted"}],
        "classification": {"matches": [{"rule": f"r{i}", "span": [i, i + 1]} for i in range(50)]},
    }
    body.update(extra_refs)
    return body


def test_scan_finds_the_raw_message_bodies_and_attachments_of_a_record_body():
    scanned = scan_entry(_line(_record_body()))
    assert scanned is not None
    assert sorted(scanned.refs) == sorted(
        [(object_key(A), A), (object_key(B), B), (object_key(C), C)]
    )


def test_scan_finds_a_reference_a_record_body_keeps_outside_its_usual_members():
    D = "d" * 64
    scanned = scan_entry(_line(_record_body(("evidence", {"copies": [_ref(D)]}))))
    assert scanned is not None
    assert (object_key(D), D) in scanned.refs
    assert len(scanned.refs) == 4


def test_scan_finds_the_references_of_a_record_whose_text_holds_the_word_key():
    body = _record_body()
    body["classification"] = {"matches": [{"key": "rule-1"}], "note": "key"}
    scanned = scan_entry(_line(body))
    assert scanned is not None
    assert len(scanned.refs) == 3
