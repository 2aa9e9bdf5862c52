"""Pure display helpers: sanitising, masking, matched words in context."""

from __future__ import annotations

from pipeline.web.display import bidi_controls_shown, in_context, masked, sanitize_email_html


def test_sanitising_keeps_formatting_and_drops_everything_active_or_remote() -> None:
    html = (
        '<p onclick="x()">Hi <b>there</b></p><script>x()</script><img src="https://t.example/p">'
        '<a href="https://phish.example/">link</a><a href="mailto:a@b.example">mail</a>'
        "<style>p{}</style><form><input></form>"
    )
    clean = sanitize_email_html(html)
    assert "<p>Hi <b>there</b></p>" in clean
    assert 'href="mailto:a@b.example"' in clean
    for bad in ("onclick", "script", "<img", "https://", "<style", "<form", "<input"):
        assert bad not in clean


def test_account_numbers_are_masked_to_their_last_four_digits() -> None:
    assert masked(["1234567890", "55-6677"]) == "****7890, ****6677"


def test_a_match_is_shown_with_the_words_around_it() -> None:
    text = "Dear servicer, I believe there is an ERROR in my escrow account this month."
    found = in_context(text, "notice_of_error", "high", "error in my escrow", width=15)
    assert (found.before, found.match, found.after) == (
        "…ve there is an",
        "ERROR in my escrow",
        "account this m…",
    )


def test_a_match_not_found_verbatim_is_shown_alone() -> None:
    found = in_context("nothing here", "rule", "low", "escrow")
    assert (found.before, found.match, found.after) == ("", "escrow", "")


def test_a_bidirectional_override_is_written_out_so_it_cannot_reorder_a_file_name() -> None:
    assert bidi_controls_shown("statement\u202efdp.exe") == "statement[U+202E]fdp.exe"


def test_isolates_and_embeddings_are_written_out_too() -> None:
    assert bidi_controls_shown("a\u2067b\u2069c\u202ad") == "a[U+2067]b[U+2069]c[U+202A]d"


def test_right_to_left_marks_that_arabic_text_uses_are_kept() -> None:
    peace = "\u0633\u0644\u0627\u0645\u200f 2026"
    assert bidi_controls_shown(peace) == peace
