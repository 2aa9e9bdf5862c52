"""How parse_message reads large bodies: same results as the stdlib, fewer copies."""

from __future__ import annotations

import base64
import email
import tracemalloc
from email.policy import compat32

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.parse import parse_message
from pipeline.parse.message import _decoded_payload, _parse_tree

FUZZ = settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.too_slow])

# Base64 text as mail carries it, plus the damage seen in the wild: stray
# characters, missing padding, CR/LF and bare CR line ends, 8-bit bytes.
_BASE64_BODY = st.lists(
    st.one_of(
        st.binary(max_size=90).map(base64.b64encode),
        st.sampled_from([b"\r\n", b"\n", b"\r", b"=", b"==", b"!", b"*", b" ", b"\xff", b"\x00"]),
    ),
    max_size=30,
).map(b"".join)


def _base64_part(body: bytes, cte: bytes = b"base64") -> bytes:
    return (
        b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: " + cte + b"\r\n\r\n" + body
    )


@FUZZ
@given(_BASE64_BODY, st.sampled_from([b"base64", b"BASE64", b"base64 ", b"quoted-printable"]))
def test_base64_payload_and_defects_match_get_payload(body: bytes, cte: bytes) -> None:
    ours = email.message_from_bytes(_base64_part(body, cte), policy=compat32)
    stdlib = email.message_from_bytes(_base64_part(body, cte), policy=compat32)

    assert _decoded_payload(ours) == stdlib.get_payload(decode=True)
    assert [type(d) for d in ours.defects] == [type(d) for d in stdlib.defects]


@FUZZ
@given(st.binary(max_size=40_000), st.sampled_from([b"\r\n", b"\n", b"\r"]))
def test_fed_tree_serialises_like_message_from_bytes(noise: bytes, newline: bytes) -> None:
    # Line ends that straddle the 8 KiB feed slices are where chunking could differ.
    raw = newline.join(
        [b"From: a@example.com", b"Content-Type: multipart/mixed; boundary=b", b"", b"--b"]
        + [noise[i : i + 77] for i in range(0, len(noise), 77)]
        + [b"--b--", b""]
    )

    ours = _parse_tree(raw)
    stdlib = email.message_from_bytes(raw, policy=compat32)

    assert ours.as_bytes() == stdlib.as_bytes()
    assert [type(d) for p in ours.walk() for d in p.defects] == [
        type(d) for p in stdlib.walk() for d in p.defects
    ]


def test_large_base64_attachment_parses_within_four_copies_of_the_message() -> None:
    payload = bytes(range(256)) * 16_384  # 4 MiB
    encoded = base64.encodebytes(payload).replace(b"\n", b"\r\n")
    raw = (
        b"From: a@example.com\r\nTo: b@example.com\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        b"Content-Type: text/plain\r\n\r\nsee attached\r\n--b\r\n"
        b"Content-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b"\r\n" + encoded + b"--b--\r\n"
    )

    tracemalloc.start()
    try:
        parsed = parse_message(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert parsed.attachments[0].payload == payload
    # The stdlib reading held the message as 4-byte characters and split the
    # base64 body into lines twice: about eight times the message size.
    assert peak < 4 * len(raw)
