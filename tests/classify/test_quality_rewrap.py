"""``python -m bench.quality --rewrap COLUMNS`` scores the same mail hard-wrapped.

Some mail clients break every long line on sending; rules must read a sentence broken
that way as one. The option makes that stress measurement repeatable: the generator
wraps each plain-text body and text attachment at the given width, quoted lines
keeping their "> " prefix so quoted history stays quoted, and the figures are never
recorded as the shipped ones. The last test is of the generator itself: a bounce
returns the original's headers as sent.
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

from bench import quality


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_generate", quality.DATA / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SENTENCE = "Please send me a copy of my payment history for the last two years by mail."


def test_a_long_line_is_broken_at_spaces_within_the_width() -> None:
    wrapped = _generator().rewrap_text(SENTENCE, 30)
    assert wrapped.split("\n") == [
        "Please send me a copy of my",
        "payment history for the last",
        "two years by mail.",
    ]


def test_a_quoted_line_keeps_its_prefix_on_every_piece() -> None:
    wrapped = _generator().rewrap_text("> > " + SENTENCE, 34)
    lines = wrapped.split("\n")
    assert len(lines) == 3
    assert all(line.startswith("> > ") for line in lines)
    assert " ".join(line[4:] for line in lines) == SENTENCE


def test_short_lines_and_blank_lines_are_left_as_they_are() -> None:
    text = "Hi,\n\nThanks.\n> ok"
    assert _generator().rewrap_text(text, 30) == text


def test_a_forwarded_message_and_a_text_attachment_are_rewrapped_too() -> None:
    spec = {
        "text": SENTENCE,
        "attachments": [
            {"kind": "txt", "filename": "note.txt", "text": SENTENCE},
            {"kind": "rfc822", "message": {"text": SENTENCE}},
            {"kind": "pdf", "filename": "letter.pdf", "text": SENTENCE},
        ],
    }
    shaped = _generator().rewrap_spec(spec, 40)
    assert "\n" in shaped["text"]
    assert "\n" in shaped["attachments"][0]["text"]
    assert "\n" in shaped["attachments"][1]["message"]["text"]
    # a PDF is laid out by the generator itself; its text is not the body's wrapping
    assert shaped["attachments"][2]["text"] == SENTENCE
    assert spec["text"] == SENTENCE  # the spec itself is not changed


@pytest.mark.usefixtures("restore_logging")
def test_rewrapped_figures_cannot_be_recorded_as_the_baseline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = quality.main(["--part", "dev", "--rewrap", "72", "--record-baseline", "--no-write"])
    assert code == 2
    assert "--rewrap" in capsys.readouterr().err


@pytest.mark.usefixtures("restore_logging")
def test_a_width_too_narrow_to_read_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code = quality.main(["--part", "dev", "--rewrap", "5", "--no-write"])
    assert code == 2
    assert "at least 20 columns" in capsys.readouterr().err


def test_a_bounce_of_a_message_with_a_non_ascii_subject_returns_it_encoded() -> None:
    spec = {
        "id": "T-0001",
        "from": {"name": "Mail Delivery System", "address": "mailer-daemon@isp.example"},
        "structure": "dsn",
        "dsn": {
            "original_to": "nguyen@isp.example",
            "original_subject": "Xác nhận thanh toán tháng 11",
            "status": "5.1.1",
            "diagnostic": "550 5.1.1 user unknown",
        },
    }
    generator = _generator()
    body = generator.build(spec, generator.Boundaries(spec["id"]))
    headers = body.get_payload()[-1].get_payload()
    assert "Subject: =?utf-8?" in headers
