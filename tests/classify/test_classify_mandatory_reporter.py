"""A mandatory reporter of abuse is bound by law to tell the authorities, no journalist:
no media threat; a reporter with a newspaper still is one."""

from __future__ import annotations

from tests.classify.wording import families


def test_a_mandatory_reporter_is_no_media_threat() -> None:
    found = families(
        "Mr. Halvorsen is 91. I have reported this to Adult Protective Services per my "
        "mandatory reporter duty."
    )
    assert "media_threat" not in found
    assert "elder_exploitation" in found


def test_a_newspaper_reporter_is_still_a_media_threat() -> None:
    assert "media_threat" in families(
        "I'm a reporter with the Cleveland Ledger working on a story about your company."
    )
