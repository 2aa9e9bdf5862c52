"""The one masking rule for logs and events: personal numbers go, citations, dates and
reference numbers stay."""

from __future__ import annotations

import json
import logging

import pytest
import structlog

from pipeline.logs import configure_logging
from pipeline.redact import evidence_words, mask_numbers

pytestmark = pytest.mark.usefixtures("restore_logging")


@pytest.mark.parametrize(
    "number",
    [
        "123-45-6789",
        "123 45 6789",
        "123456789012",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4417-829-301",
        "441 782 9301",
    ],
)
def test_personal_number_shapes_are_masked_to_their_last_four(number: str) -> None:
    digits = number.replace(" ", "").replace("-", "")
    assert mask_numbers(f"acct {number} please") == f"acct ****{digits[-4:]} please"


@pytest.mark.parametrize(
    "citation", ["12 CFR 1024.35(d)", "12 CFR 1026.36(c)(3)", "§ 1024.36(d)(2)(i)(B)"]
)
def test_regulation_citations_are_never_masked(citation: str) -> None:
    assert mask_numbers(f"notice of error under {citation}") == (
        f"notice of error under {citation}"
    )


def test_iso_dates_are_never_masked() -> None:
    text = "due 2026-12-10, received 2026-12-03T08:30:00Z"
    assert mask_numbers(text) == text


def test_reference_numbers_are_never_masked_even_when_all_digits() -> None:
    text = "your reference ML-2345-6789 (also ML-2FMA-TVUD)"
    assert mask_numbers(text) == text


def test_digit_runs_inside_hex_identifiers_are_kept_in_logs() -> None:
    text = "objects/sha256/ab/cd/0123456789abcdef0123456789"
    assert mask_numbers(text) == text


def test_a_digit_run_longer_than_a_card_number_is_masked() -> None:
    assert mask_numbers("x " + "7" * 40) == "x ****7777"


@pytest.mark.parametrize(
    "number", ["123.45.6789", "4111.1111.1111.1111", "123_45_6789", "4111_1111_1111_1111"]
)
def test_groups_joined_by_dots_or_underscores_are_masked_too(number: str) -> None:
    digits = "".join(c for c in number if c.isdigit())
    assert mask_numbers(f"ssn {number} here") == f"ssn ****{digits[-4:]} here"


@pytest.mark.parametrize("date", ["12/03/2026", "03.12.2026", "12/3/26"])
def test_dates_written_with_slashes_or_dots_are_never_masked(date: str) -> None:
    assert mask_numbers(f"sale on {date}", inside_words=True) == f"sale on {date}"


def test_a_number_in_a_file_name_with_underscores_is_masked_in_event_text() -> None:
    name = "W2_ssn_123_45_6789_card_4111_1111_1111_1111.pdf"
    assert mask_numbers(name, inside_words=True) == "W2_ssn_****6789_card_****1111.pdf"


def test_evidence_of_a_long_match_keeps_only_the_words_at_its_ends() -> None:
    matched = (
        "divorce from Robert Allen Public, DOB 04/12/1971, SSN 123 45 6789, of 12 Elm St,"
        " Springfield, the court awarded me the house"
    )
    assert evidence_words(matched) == "divorce from ... the house"


def test_evidence_of_a_phrase_is_kept_whole_with_numbers_masked() -> None:
    assert evidence_words("attorney for loan 4417-829-301") == "attorney for loan ****9301"


def test_masking_inside_words_catches_numbers_glued_to_text() -> None:
    assert mask_numbers("statement_12345678.pdf", inside_words=True) == "statement_****5678.pdf"


def test_log_lines_keep_citations_dates_and_references(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", "json")
    structlog.get_logger("test").info(
        "ack.composed", rule="12 CFR 1024.35(d)", due="2026-12-10", reference="ML-2345-6789"
    )
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert (line["rule"], line["due"], line["reference"]) == (
        "12 CFR 1024.35(d)",
        "2026-12-10",
        "ML-2345-6789",
    )


def test_standard_logging_records_pass_through_the_same_redaction(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("info", "json")
    logging.getLogger("botocore.test").warning("account 123456789012 under 12 CFR 1024.35(d)")
    err = capsys.readouterr().err
    line = json.loads(err.strip().splitlines()[-1])
    assert line["event"] == "account ****9012 under 12 CFR 1024.35(d)"
    assert line["logger"] == "botocore.test"


def test_mail_parser_quotes_and_exception_texts_are_withheld(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("info", "json")
    parser_log = logging.getLogger("mailparser.utils")
    parser_log.error("Skipped attachment 'Pat Borrower statement.pdf'")
    try:
        raise ValueError("header From: Pat Borrower")
    except ValueError:
        parser_log.error("Failed to parse part", exc_info=True)
    first, second = (json.loads(line) for line in capsys.readouterr().err.strip().splitlines())
    assert first["event"] == "Skipped attachment"
    assert (second["event"], second["exception_type"]) == ("Failed to parse part", "ValueError")
    assert "Pat" not in json.dumps([first, second])
