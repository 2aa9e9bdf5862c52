"""Canonical entries (RFC 8785), signed checkpoints (C2SP) and signing-key files."""

from __future__ import annotations

import base64
import stat
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import CheckpointError, LedgerError, SecretError
from pipeline.hashing import ZERO_HASH
from pipeline.ledger.checkpoint import Checkpoint, SigningKey, VerifierKey, key_id, verify_note
from pipeline.ledger.cosignature import CosignerKey
from pipeline.ledger.entry import EntryDraft, LedgerEntry, canonical_json
from pipeline.ledger.keys import (
    decode_signing_key,
    encode_signing_key,
    read_signing_key,
    write_signing_key,
)
from pipeline.merkle import leaf_hash

ORIGIN = "test.example/ledger"
SEED = bytes(range(32))
KEY = SigningKey.from_seed(ORIGIN, SEED)
WHEN = datetime(2026, 11, 28, 8, 30, tzinfo=UTC)

# -- canonical JSON ------------------------------------------------------------------


def test_canonical_json_sorts_keys_and_drops_whitespace() -> None:
    assert canonical_json({"b": 1, "a": [True, None, "x"], "c": {"z": 0, "y": -3}}) == (
        b'{"a":[true,null,"x"],"b":1,"c":{"y":-3,"z":0}}'
    )


def test_canonical_json_keeps_non_ascii_as_utf8() -> None:
    assert canonical_json({"name": "Jos\u00e9 \u20ac"}) == b'{"name":"Jos\xc3\xa9 \xe2\x82\xac"}'


def test_canonical_json_escapes_only_what_json_requires() -> None:
    assert canonical_json({"s": 'a"b\\c\n\u0001'}) == b'{"s":"a\\"b\\\\c\\n\\u0001"}'


def test_canonical_json_sorts_keys_by_utf16_code_units() -> None:
    # RFC 8785 3.2.3: U+10000 (surrogates D800 DC00) sorts before U+FFFD
    assert canonical_json({"\ufffd": 1, "\U00010000": 2}) == (
        '{"\U00010000":2,"\ufffd":1}'.encode()
    )


def test_canonical_json_writes_integers_without_exponent() -> None:
    assert canonical_json({"n": 10**15, "m": -7, "z": 0}) == b'{"m":-7,"n":1000000000000000,"z":0}'


@pytest.mark.parametrize("value", [1.5, {"a": 0.1}, [1, 2.0], {"x": {"y": [float("inf")]}}])
def test_canonical_json_refuses_floats(value) -> None:
    with pytest.raises(LedgerError, match="floating-point"):
        canonical_json(value)


# -- entries -------------------------------------------------------------------------


def _entry(seq: int = 0, prev: str = ZERO_HASH, body: dict | None = None) -> LedgerEntry:
    draft = EntryDraft(
        type="message.received", body=body or {"z": 1, "a": "x"}, actor="w:1", time=WHEN
    )
    return LedgerEntry.build(seq, prev, draft)


def test_built_entry_has_the_exact_canonical_bytes() -> None:
    assert _entry().raw == (
        b'{"actor":"w:1","body":{"a":"x","z":1},"prev":"'
        + ZERO_HASH.encode()
        + b'","seq":0,"time":"2026-11-28T08:30:00.000000Z","type":"message.received"}'
    )


def test_entry_hash_is_the_rfc6962_leaf_hash_of_its_bytes() -> None:
    entry = _entry()
    assert entry.leaf_hash == leaf_hash(entry.raw)
    assert entry.entry_hash == entry.leaf_hash.hex()


def test_entry_time_is_normalised_to_utc() -> None:
    eastern = timezone(timedelta(hours=-5))
    draft = EntryDraft(type="t", body={}, actor="a", time=datetime(2026, 1, 2, 3, 4, 5, 6, eastern))
    assert LedgerEntry.build(0, ZERO_HASH, draft).time == "2026-01-02T08:04:05.000006Z"


def test_entry_with_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        LedgerEntry.build(
            0, ZERO_HASH, EntryDraft(type="t", body={}, actor="a", time=datetime(2026, 1, 1))
        )


def test_entry_with_a_float_in_its_body_is_refused() -> None:
    with pytest.raises(LedgerError):
        _entry(body={"amount": 1.25})


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(
    body=st.dictionaries(st.text(), _JSON, max_size=6),
    seq=st.integers(0, 2**40),
    actor=st.text(),
    type_=st.text(),
)
def test_entry_built_from_a_pre_encoded_body_has_the_same_bytes(body, seq, actor, type_) -> None:
    plain = EntryDraft(type=type_, body=body, actor=actor, time=WHEN)
    pre = EntryDraft(type=type_, body=body, actor=actor, time=WHEN, body_json=canonical_json(body))
    expected = LedgerEntry.build(seq, "cd" * 32, plain)
    spliced = LedgerEntry.build(seq, "cd" * 32, pre)
    assert spliced.raw == expected.raw
    assert spliced == expected


def test_entry_built_from_a_pre_encoded_body_refuses_a_malformed_prev() -> None:
    draft = EntryDraft(type="t", body={}, actor="a", time=WHEN, body_json=b"{}")
    with pytest.raises(LedgerError, match="prev"):
        LedgerEntry.build(0, "not-a-hash", draft)


def test_decode_round_trips_a_built_entry() -> None:
    entry = _entry(seq=3, prev="ab" * 32)
    assert LedgerEntry.decode(entry.raw) == entry
    assert LedgerEntry.decode(entry.raw).is_canonical()


def test_decode_keeps_non_canonical_bytes_as_stored() -> None:
    spaced = (
        b'{"seq": 0, "prev": "'
        + ZERO_HASH.encode()
        + (b'", "type": "t", "time": "x", "actor": "a", "body": {}}')
    )
    decoded = LedgerEntry.decode(spaced)
    assert decoded.raw == spaced
    assert not decoded.is_canonical()


_GOOD = {"seq": 0, "prev": ZERO_HASH, "type": "t", "time": "x", "actor": "a", "body": {}}


_MALFORMED = [
    (b"not json", "not valid JSON"),
    (b"\xff\xfe", "not valid JSON"),
    (b"[1, 2]", "lacks one of the fields"),
    (canonical_json({k: v for k, v in _GOOD.items() if k != "actor"}), "lacks"),
    (canonical_json({**_GOOD, "seq": -1}), "'seq'"),
    (canonical_json({**_GOOD, "seq": "0"}), "'seq'"),
    (canonical_json({**_GOOD, "seq": True}), "'seq'"),
    (canonical_json({**_GOOD, "prev": "AB" * 32}), "'prev'"),
    (canonical_json({**_GOOD, "prev": "ab"}), "'prev'"),
    (canonical_json({**_GOOD, "body": []}), "'body'"),
    (canonical_json({**_GOOD, "type": 5}), "'type'"),
    (canonical_json({**_GOOD, "time": None}), "'time'"),
    # bytes that are not UTF-8 inside the body
    (canonical_json({**_GOOD, "body": {"x": "y"}}).replace(b'"y"', b'"\xff"'), "not valid JSON"),
]


@pytest.mark.parametrize(("raw", "message"), _MALFORMED)
def test_decode_rejects_malformed_entries(raw: bytes, message: str) -> None:
    with pytest.raises(LedgerError, match=message):
        LedgerEntry.decode(raw)


@pytest.mark.parametrize(("raw", "message"), _MALFORMED)
def test_reading_only_the_chain_link_rejects_what_decode_rejects(raw: bytes, message: str) -> None:
    with pytest.raises(LedgerError, match=message):
        LedgerEntry.link_of(raw)


def test_chain_link_of_a_built_entry_is_its_position_and_prev() -> None:
    entry = LedgerEntry.build(7, ZERO_HASH, EntryDraft("t", {"n": [1, {"x": "y"}]}, "a"))
    assert LedgerEntry.link_of(entry.raw) == (7, ZERO_HASH)


def _read(reader, raw: bytes) -> tuple[int, str] | str:
    try:
        return reader(raw)
    except LedgerError:
        return "refused"


@given(st.binary(max_size=12), st.integers(min_value=0))
def test_chain_link_and_decode_accept_and_refuse_the_same_lines(noise: bytes, at: int) -> None:
    good = canonical_json({**_GOOD, "body": {"note": "ça", "n": [1, {"k": True}]}})
    at %= len(good) + 1
    line = good[:at] + noise + good[at:]
    decoded = _read(lambda raw: (LedgerEntry.decode(raw).seq, LedgerEntry.decode(raw).prev), line)
    assert _read(LedgerEntry.link_of, line) == decoded


def test_chain_link_of_a_line_the_fast_reader_refuses_is_read_as_decode_reads_it() -> None:
    with_bom = b"\xef\xbb\xbf" + canonical_json(_GOOD)
    assert LedgerEntry.decode(with_bom).seq == 0
    assert LedgerEntry.link_of(with_bom) == (0, ZERO_HASH)


# -- checkpoints ---------------------------------------------------------------------

ROOT = bytes(range(32))
CHECKPOINT = Checkpoint(ORIGIN, 42, ROOT)


def test_checkpoint_body_is_origin_size_and_base64_root() -> None:
    assert CHECKPOINT.body() == f"{ORIGIN}\n42\n{base64.b64encode(ROOT).decode()}\n"


def test_note_has_a_blank_line_then_an_em_dash_signature_line() -> None:
    note = CHECKPOINT.sign(KEY)
    body, signatures = note.split("\n\n")
    assert body + "\n" == CHECKPOINT.body()
    line = signatures.rstrip("\n")
    assert line.startswith(f"\u2014 {ORIGIN} ")
    blob = base64.b64decode(line.rsplit(" ", 1)[1])
    assert blob[:4] == KEY.verifier.key_id and len(blob) == 4 + 64


def test_key_id_is_the_signed_note_hash_prefix() -> None:
    import hashlib

    public = KEY.verifier.public_key
    expected = hashlib.sha256(ORIGIN.encode() + b"\n\x01" + public).digest()[:4]
    assert key_id(ORIGIN, public) == expected


def test_signed_note_verifies_with_the_matching_key() -> None:
    signed = verify_note(CHECKPOINT.sign(KEY), [KEY.verifier], origin=ORIGIN)
    assert signed.checkpoint == CHECKPOINT
    assert signed.key_name == ORIGIN


def test_signing_is_deterministic() -> None:
    assert CHECKPOINT.sign(KEY) == CHECKPOINT.sign(KEY)


def _flip_signature_byte(note: str) -> str:
    body, signatures = note.split("\n\n")
    prefix, blob = signatures.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(blob))
    raw[10] ^= 0x01
    return f"{body}\n\n{prefix} {base64.b64encode(bytes(raw)).decode()}\n"


def test_note_with_a_flipped_signature_byte_is_rejected() -> None:
    with pytest.raises(CheckpointError, match="invalid"):
        verify_note(_flip_signature_byte(CHECKPOINT.sign(KEY)), [KEY.verifier], origin=ORIGIN)


def test_note_with_an_edited_size_is_rejected() -> None:
    note = CHECKPOINT.sign(KEY).replace("\n42\n", "\n41\n", 1)
    with pytest.raises(CheckpointError, match="invalid"):
        verify_note(note, [KEY.verifier], origin=ORIGIN)


def test_note_with_an_edited_root_is_rejected() -> None:
    other = base64.b64encode(bytes(32)).decode()
    note = CHECKPOINT.sign(KEY).replace(base64.b64encode(ROOT).decode(), other, 1)
    with pytest.raises(CheckpointError, match="invalid"):
        verify_note(note, [KEY.verifier], origin=ORIGIN)


def test_note_signed_only_by_an_unknown_key_is_rejected() -> None:
    stranger = SigningKey.from_seed(ORIGIN, bytes(32))
    with pytest.raises(CheckpointError, match="no known key"):
        verify_note(CHECKPOINT.sign(stranger), [KEY.verifier], origin=ORIGIN)


def test_note_for_a_different_origin_is_rejected() -> None:
    other = Checkpoint("other.example/log", 42, ROOT)
    with pytest.raises(CheckpointError, match="not this log"):
        verify_note(other.sign(KEY), [KEY.verifier], origin=ORIGIN)


def test_unknown_key_signature_is_ignored_when_a_known_key_also_signed() -> None:
    stranger = SigningKey.from_seed("witness.example", bytes(32))
    ours = CHECKPOINT.sign(KEY)
    theirs = CHECKPOINT.sign(stranger).split("\n\n")[1]
    cosigned = ours.split("\n\n")[0] + "\n\n" + theirs + ours.split("\n\n")[1]
    signed = verify_note(cosigned, [KEY.verifier], origin=ORIGIN)
    assert signed.key_name == ORIGIN


def test_note_without_a_signature_block_is_rejected() -> None:
    with pytest.raises(CheckpointError, match="no signature block"):
        verify_note(CHECKPOINT.body(), [KEY.verifier])


@pytest.mark.parametrize(
    "body",
    [
        f"{ORIGIN}\n042\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n-1\n{base64.b64encode(ROOT).decode()}\n",
        f"\n42\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n42\n{base64.b64encode(ROOT[:31]).decode()}\n",
        f"{ORIGIN}\n42\nnot base64!\n",
    ],
)
def test_malformed_checkpoint_bodies_are_rejected(body: str) -> None:
    with pytest.raises(CheckpointError):
        verify_note(body + "\n\u2014 x AAAA\n", [KEY.verifier])


def test_verifier_key_text_round_trips() -> None:
    text = KEY.verifier.to_text()
    assert text.startswith(f"{ORIGIN}+{KEY.verifier.key_id.hex()}+")
    assert VerifierKey.from_text(text) == KEY.verifier


def test_verifier_key_with_a_wrong_id_is_rejected() -> None:
    name, _, blob = KEY.verifier.to_text().split("+", 2)
    with pytest.raises(CheckpointError, match="id does not match"):
        VerifierKey.from_text(f"{name}+00000000+{blob}")


def test_a_witness_cosigner_key_is_not_taken_for_a_checkpoint_verifier_key() -> None:
    # Same vkey text form, different signed-note type byte (0x04 against 0x01).
    cosigner = CosignerKey.of(KEY).to_text()
    with pytest.raises(
        CheckpointError, match=r"verifier key is not an Ed25519 key of signed-note type 0x01"
    ):
        VerifierKey.from_text(cosigner)
    assert CosignerKey.from_text(cosigner).public_key == KEY.verifier.public_key


# -- signing-key files ---------------------------------------------------------------


def test_signing_key_text_round_trips() -> None:
    decoded = decode_signing_key(encode_signing_key(KEY))
    assert decoded.name == ORIGIN
    assert decoded.verifier == KEY.verifier


def test_signing_key_file_round_trips_and_is_private(tmp_path) -> None:
    path = tmp_path / "keys" / "ledger.key"
    write_signing_key(path, KEY)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = read_signing_key(env=None, file=path)
    assert loaded is not None and loaded.verifier == KEY.verifier


def test_signing_key_file_is_never_overwritten(tmp_path) -> None:
    path = tmp_path / "ledger.key"
    write_signing_key(path, KEY)
    before = path.read_bytes()
    with pytest.raises(SecretError, match="never overwritten"):
        write_signing_key(path, SigningKey.generate(ORIGIN))
    assert path.read_bytes() == before


def test_signing_key_from_the_environment_wins_over_the_file(tmp_path, monkeypatch) -> None:
    path = tmp_path / "ledger.key"
    write_signing_key(path, KEY)
    other = SigningKey.from_seed("env-key", bytes(32))
    monkeypatch.setenv("TEST_LEDGER_KEY", encode_signing_key(other))
    loaded = read_signing_key(env="TEST_LEDGER_KEY", file=path)
    assert loaded is not None and loaded.verifier == other.verifier


def test_missing_signing_key_reads_as_none(tmp_path) -> None:
    assert read_signing_key(env=None, file=tmp_path / "absent.key") is None


def test_signing_key_with_a_wrong_id_is_rejected_without_echoing_the_key() -> None:
    name, _, blob = encode_signing_key(KEY).removeprefix("PRIVATE+KEY+").split("+", 2)
    bad = f"PRIVATE+KEY+{name}+00000000+{blob}"
    with pytest.raises(CheckpointError) as info:
        decode_signing_key(bad)
    assert blob not in str(info.value)
