"""safe_filename: names that are safe to show and to use as one path component."""

from __future__ import annotations

import pytest

from pipeline.attachments.filenames import prefixed_component, safe_filename

SHA = "ab" * 32


def test_plain_name_is_unchanged():
    assert safe_filename("Statement March.pdf", SHA) == "Statement March.pdf"


def test_path_traversal_keeps_only_the_last_component():
    assert safe_filename("../../etc/passwd", SHA) == "passwd"


def test_windows_path_keeps_only_the_last_component():
    assert safe_filename("C:\\Users\\x\\..\\loan.pdf", SHA) == "loan.pdf"


def test_nul_and_control_characters_are_removed():
    assert safe_filename("evil\x00.pdf\x07\r\n", SHA) == "evil.pdf"


def test_rtl_override_is_removed_so_the_real_extension_shows():
    assert safe_filename("invoice\u202efdp.exe", SHA) == "invoicefdp.exe"


def test_other_bidi_and_zero_width_characters_are_removed():
    assert safe_filename("a\u2066b\u200bc\ufeff.pdf", SHA) == "abc.pdf"


def test_name_is_nfc_normalized():
    assert safe_filename("Cafe\u0301.pdf", SHA) == "Caf\u00e9.pdf"


def test_long_name_is_capped_and_keeps_extension():
    name = safe_filename("x" * 300 + ".pdf", SHA)
    assert len(name) == 120
    assert name.endswith("~abababab.pdf")


def test_long_multibyte_name_stays_under_byte_cap():
    name = safe_filename("\U0001f600" * 300 + ".png", SHA)
    assert len(name.encode("utf-8")) <= 240
    assert name.endswith(".png")


@pytest.mark.parametrize("reserved", ["CON", "con.pdf", "NUL.txt", "COM1.pdf", "LPT9", "aux"])
def test_windows_reserved_names_are_prefixed(reserved):
    assert safe_filename(reserved, SHA) == "_" + reserved


@pytest.mark.parametrize("empty", [None, "", ".", "..", "...", "  ", "/", "\u202e", "\x00"])
def test_empty_or_dot_names_fall_back_to_hash_name(empty):
    assert safe_filename(empty, SHA) == "attachment-abababababab"


def test_reserved_punctuation_is_replaced():
    assert safe_filename('a<b>c:d"e|f?g*h.pdf', SHA) == "a_b_c_d_e_f_g_h.pdf"


def test_same_input_gives_same_name():
    assert safe_filename("r\u00e9sum\u00e9 " * 40 + ".pdf", SHA) == safe_filename(
        "r\u00e9sum\u00e9 " * 40 + ".pdf", SHA
    )


def test_a_prefixed_name_that_fits_is_the_prefix_and_the_name() -> None:
    assert prefixed_component("ML00000001.0001_", "statement.pdf") == (
        "ML00000001.0001_statement.pdf"
    )


def test_a_prefixed_name_too_long_for_a_filesystem_is_cut_in_its_stem_keeping_the_extension() -> (
    None
):
    name = "é" * 118 + ".pdf"  # 240 bytes, as long as a safe name may be
    cut = prefixed_component("ML00000001.0001_", name)
    assert len(cut.encode("utf-8")) <= 255
    assert cut.startswith("ML00000001.0001_éé") and cut.endswith("é.pdf")
