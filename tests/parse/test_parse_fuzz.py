"""Property tests: hostile input never makes parse_message or check_attachment raise."""

from __future__ import annotations

from email.message import Message

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.attachments.verdict import check_attachment
from pipeline.parse import ParsedMessage, parse_message

FUZZ = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])

_HEADER_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60).map(
    lambda s: s.replace("\r", " ").replace("\n", " ")
)
_CTYPES = st.sampled_from(
    ["text/plain", "text/html", "application/pdf", "image/png", "application/ms-tnef",
     "application/octet-stream", "message/rfc822", "text/plain; charset=x-bogus",
     "text/plain; charset=iso-2022-jp", "image/jpeg; name=\"=?utf-8?q?a=FF?=\""]
)  # fmt: skip
_CTES = st.sampled_from(["7bit", "8bit", "base64", "quoted-printable", "x-uuencode", "bogus"])


def _leaf() -> st.SearchStrategy[Message]:
    @st.composite
    def build(draw: st.DrawFn) -> Message:
        part = Message()
        part["Content-Type"] = draw(_CTYPES)
        part["Content-Transfer-Encoding"] = draw(_CTES)
        if draw(st.booleans()):
            part["Content-Disposition"] = draw(
                st.sampled_from(["attachment", "inline", "attachment; filename*=utf-8''%FF%2E"])
            )
        part.set_payload(draw(st.binary(max_size=300)).decode("latin-1"))
        return part

    return build()


def _tree() -> st.SearchStrategy[Message]:
    def extend(children: st.SearchStrategy[Message]) -> st.SearchStrategy[Message]:
        @st.composite
        def build(draw: st.DrawFn) -> Message:
            part = Message()
            kind = draw(st.sampled_from(["mixed", "alternative", "related", "digest"]))
            part["Content-Type"] = f"multipart/{kind}"
            for child in draw(st.lists(children, min_size=0, max_size=4)):
                part.attach(child)
            if draw(st.booleans()):
                part.set_boundary(draw(st.text(alphabet="abc-=_", min_size=1, max_size=8)))
            return part

        return build()

    return st.recursive(_leaf(), extend, max_leaves=12)


@FUZZ
@given(st.binary(max_size=4000))
def test_random_bytes_never_make_parse_message_raise(raw):
    assert isinstance(parse_message(raw), ParsedMessage)


@FUZZ
@given(_tree(), _HEADER_TEXT, st.booleans())
def test_random_mime_trees_never_make_parse_message_raise(tree, subject, truncate):
    tree["Subject"] = subject
    tree["From"] = subject
    try:
        raw = tree.as_bytes()
    except (UnicodeError, LookupError, ValueError):
        raw = tree.as_string().encode("utf-8", "surrogateescape")
    if truncate:
        raw = raw[: len(raw) // 2]
    parsed = parse_message(raw)
    assert isinstance(parsed, ParsedMessage)
    assert all(isinstance(a.payload, bytes) for a in parsed.attachments)


@FUZZ
@given(
    st.one_of(st.none(), _HEADER_TEXT),
    st.one_of(st.none(), st.sampled_from(["application/pdf", "image/png", "x/y", "", ";;"])),
    st.one_of(
        st.binary(max_size=3000),
        st.binary(max_size=2000).map(lambda b: b"%PDF-1.7\n" + b),
        st.binary(max_size=2000).map(lambda b: b"\x89PNG\r\n\x1a\n" + b),
        st.binary(max_size=2000).map(lambda b: b"\xff\xd8\xff\xe0" + b),
    ),
)
def test_random_attachments_never_make_check_attachment_raise(filename, declared, data):
    verdict = check_attachment(filename, declared, data)
    assert verdict.verdict in ("accepted", "rejected")
    assert verdict.safe_filename
    assert verdict.verdict == "accepted" or verdict.reasons
