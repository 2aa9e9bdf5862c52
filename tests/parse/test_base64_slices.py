"""A base64 body is decoded a slice at a time, so a large attachment is not copied twice
more at once; bytes and defects must be exactly those of the stdlib's decoder."""

from __future__ import annotations

import base64
import random

import pytest

import pipeline.parse.message as message


def _lines(data: bytes, ending: str = "\r\n") -> str:
    text = base64.b64encode(data).decode("ascii")
    return ending.join(text[i : i + 76] for i in range(0, len(text), 76)) + ending


def _stdlib(payload: str) -> tuple[bytes, list[str]]:
    value, defects = message._decode_b(payload.encode("ascii").translate(None, b"\r\n"))
    return value, [type(d).__name__ for d in defects]


def _sliced(payload: str) -> tuple[bytes, list[str]]:
    value, defects = message._decode_base64_text(payload)
    return value, [type(d).__name__ for d in defects]


@pytest.fixture(autouse=True)
def small_slices(monkeypatch):
    # slices of 1,000 characters: every body below spans several, cut mid-line
    monkeypatch.setattr(message, "_B64_SLICE", 1000)


BODY = random.Random(7).randbytes(20_011)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(_lines(BODY), id="crlf"),
        pytest.param(_lines(BODY, "\n"), id="lf"),
        pytest.param(_lines(BODY).rstrip("\r\n=") + "\r\n", id="padding-missing"),
        pytest.param("", id="empty"),
        pytest.param(_lines(BODY[:10]), id="one-slice"),
    ],
)
def test_sliced_decoding_gives_the_stdlib_bytes_and_defects(payload):
    assert _sliced(payload) == _stdlib(payload)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(_lines(BODY)[:3000] + "!*" + _lines(BODY)[3000:], id="bad-char-early"),
        pytest.param(_lines(BODY[:31]) + _lines(BODY), id="padding-mid-body"),
        pytest.param(_lines(BODY)[:-3] + "A\r\n", id="impossible-length"),
        pytest.param(_lines(BODY)[:-10] + "#" + _lines(BODY)[-9:], id="bad-char-at-end"),
    ],
)
def test_damaged_bodies_fall_back_to_the_stdlib_result(payload):
    expected = _stdlib(payload)
    assert expected[1], "the case must be one the stdlib reports a defect for"
    assert _sliced(payload) == expected


def test_a_large_attachment_is_decoded_through_the_parser_unchanged():
    data = random.Random(3).randbytes(50_000)
    raw = (
        "From: a@example.com\r\nSubject: scan\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        "Content-Type: text/plain\r\n\r\nsee attached\r\n--b\r\n"
        'Content-Type: application/pdf; name="scan.pdf"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + _lines(data) + "--b--\r\n"
    ).encode("ascii")

    parsed = message.parse_message(raw)

    assert [a.payload for a in parsed.attachments] == [data]
    assert not [d for d in parsed.defects if "part" in d]
