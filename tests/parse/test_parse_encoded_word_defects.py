"""A malformed RFC 2047 encoded-word keeps the rest of its header and records a defect."""

from __future__ import annotations

from pipeline.parse.headers import decode_encoded_words
from pipeline.parse.message import parse_message


def raw(subject: str) -> bytes:
    return (
        "From: a@example.com\r\nTo: b@example.com\r\nMessage-ID: <x@example.com>\r\n"
        f"Subject: {subject}\r\n\r\nbody\r\n"
    ).encode()


def test_an_undecodable_word_keeps_the_rest_of_the_subject_and_records_a_defect() -> None:
    parsed = parse_message(raw("=?utf-8?B?!!!!?= - pago de octubre no aplicado, prestamo"))
    assert parsed.subject == "=?utf-8?B?!!!!?= - pago de octubre no aplicado, prestamo"
    assert any("encoded-word" in d and "kept as written" in d for d in parsed.defects)


def test_a_base64_word_cut_short_decodes_its_whole_groups() -> None:
    # "Pago no acreditado" in base64 plus one stray character.
    parsed = parse_message(raw("=?utf-8?B?UGFnbyBubyBhY3JlZGl0YWRvX?= - octubre"))
    assert parsed.subject == "Pago no acreditado - octubre"
    assert any("cut short" in d for d in parsed.defects)


def test_good_words_around_a_bad_one_still_decode() -> None:
    text, defects = decode_encoded_words(
        "=?utf-8?q?Pago_no?= =?x-no-such-charset?q?abc?= =?iso-8859-1?q?aplicado_Jos=E9?="
    )
    assert text == "Pago no=?x-no-such-charset?q?abc?=aplicado José"
    assert len(defects) == 1 and "x-no-such-charset" in defects[0]


def test_a_well_formed_subject_records_no_defect() -> None:
    parsed = parse_message(raw("=?utf-8?q?Aviso_de_error?= sobre mi pago"))
    assert parsed.subject == "Aviso de error sobre mi pago"
    assert not any("encoded-word" in d for d in parsed.defects)
