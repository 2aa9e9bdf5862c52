"""Hostile attachments through ``assemble`` and one real poll: each one is rejected (with the
right reason) or accepted only under a safe name; its bytes are kept (quarantined when
rejected) and the message is always recorded."""

from __future__ import annotations

import email.policy
import hashlib
import unicodedata
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from pipeline.record.assemble import assemble
from tests.attachments.attachment_samples import (
    elf_bytes,
    pdf_bytes,
    pdf_with_javascript,
    pe_bytes,
    png_bomb,
    png_bytes,
    zip_bytes,
)
from tests.conftest import ImapAccount
from tests.fuzz.test_fuzz_assemble import SETTINGS, SOURCE
from tests.harness.smtp_sink import SmtpSink


@dataclass(frozen=True)
class Hostile:
    """One hostile attachment and what its record must say."""

    name: str
    filename: str
    data: bytes
    mime: str
    verdict: str
    reason: str | None  # a phrase one of the reasons contains (rejected only)


CASES = (
    Hostile("pdf-zip-polyglot", "statement.pdf", pdf_bytes() + zip_bytes(), "application/pdf",
            "rejected", "ZIP archive is appended after the end of the PDF"),
    Hostile("png-with-archive", "photo.png", png_bytes() + zip_bytes(), "image/png",
            "rejected", "ZIP archive is appended after the end of the PNG"),
    Hostile("windows-exe-named-pdf", "invoice.pdf", pe_bytes(), "application/pdf",
            "rejected", "Windows executable but the name says .pdf"),
    Hostile("elf-named-pdf", "invoice.pdf", elf_bytes(), "application/pdf",
            "rejected", "ELF executable but the name says .pdf"),
    Hostile("pdf-with-javascript", "form.pdf", pdf_with_javascript(), "application/pdf",
            "rejected", "the PDF contains JavaScript"),
    Hostile("png-decompression-bomb", "big.png", png_bomb(60_000, 60_000), "image/png",
            "rejected", "decompression bomb"),
    Hostile("empty-file", "empty.pdf", b"", "application/pdf", "rejected", "the file is empty"),
    Hostile("dot-dot-slash-name", "../../etc/passwd.pdf", pdf_bytes(), "application/pdf",
            "accepted", None),
    Hostile("nul-in-name", "loan\x00statement.pdf", pdf_bytes(), "application/pdf",
            "accepted", None),
    Hostile("rtl-override-name", "invoice\u202efdp.exe", pdf_bytes(), "application/pdf",
            "rejected", "the name says .exe"),
    Hostile("300-character-name", "a" * 296 + ".pdf", pdf_bytes(), "application/pdf",
            "accepted", None),
)  # fmt: skip


def _message(case: Hostile, index: int = 0) -> bytes:
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = f"Borrower <hostile{index}@example.com>"
    msg["To"] = "service@servicer.example"
    msg["Subject"] = f"Attachment {case.name}"
    msg["Date"] = "Mon, 02 Mar 2026 09:15:00 -0500"
    msg["Message-ID"] = f"<hostile-{case.name}@example.com>"
    msg.set_content("Please see the attached document.\n")
    maintype, subtype = case.mime.split("/")
    msg.add_attachment(case.data, maintype=maintype, subtype=subtype, filename=case.filename)
    return msg.as_bytes()


def _assert_safe_name(safe: str) -> None:
    assert safe and "/" not in safe and "\\" not in safe and ".." not in safe
    assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in safe), repr(safe)
    assert len(safe.encode("utf-8")) <= 255


def _assert_attachment(item: dict[str, Any], case: Hostile) -> None:
    assert item["verdict"] == case.verdict, item["reasons"]
    assert item["sha256"] == hashlib.sha256(case.data).hexdigest()
    assert item["size"] == len(case.data)
    if case.verdict == "rejected":
        assert item["key"].startswith("quarantine/sha256/")
        assert any(case.reason in reason for reason in item["reasons"]), item["reasons"]
    else:
        assert item["key"].startswith("objects/sha256/")
        assert item["reasons"] == []
    _assert_safe_name(item["safe_filename"])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_attachment_gets_its_verdict_and_a_safe_name_in_assemble(case: Hostile) -> None:
    record = assemble(_message(case), SOURCE, SETTINGS)

    (item,) = record.body["attachments"]
    _assert_attachment(item, case)
    assert {blob.key: blob.data for blob in record.blobs}[item["key"]] == case.data


def test_a_poll_of_hostile_attachments_records_every_message_and_keeps_every_payload(
    imap_user: ImapAccount, acks: SmtpSink, tmp_path: Path
) -> None:
    from tests.chaos._world import deployment, settle_and_check

    uids = imap_user.server.append_many(
        imap_user.user, "INBOX", [_message(case, i) for i, case in enumerate(CASES)]
    )
    app = deployment(tmp_path / "app", imap_user, acks)

    outcome = settle_and_check(app, imap_user, acks, "[hostile attachments]")

    assert sorted(outcome.records) == sorted(uids)
    store = app.runtime().store
    for uid, case in zip(uids, CASES, strict=True):
        (item,) = outcome.records[uid].body["attachments"]
        _assert_attachment(item, case)
        assert store.get(item["key"]) == case.data
