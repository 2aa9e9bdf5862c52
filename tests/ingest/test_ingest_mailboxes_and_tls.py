"""Several mailboxes in one cycle, and how the connection to each is secured."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import ImapAccount
from tests.harness.tls import make_tls_files
from tests.ingest._mail import filler_message
from tests.ingest.conftest import mailbox_entry


def test_a_mailbox_with_a_wrong_password_fails_alone_and_the_good_one_is_recorded(
    imap_user: ImapAccount, deploy: Any
) -> None:
    uids = imap_user.server.append_many(
        imap_user.user, "INBOX", [filler_message(i) for i in range(5)]
    )
    app = deploy(
        [
            mailbox_entry(imap_user, "bad", password="not-the-password"),
            mailbox_entry(imap_user, "good"),
        ]
    )

    report = app.poll_json(expect=1)

    boxes = {box["mailbox"]: box for box in report["mailboxes"]}
    assert (boxes["good"]["ok"], boxes["good"]["recorded"], boxes["good"]["errors"]) == (
        True,
        5,
        [],
    )
    assert boxes["bad"]["ok"] is False
    assert boxes["bad"]["recorded"] == 0
    (error,) = boxes["bad"]["errors"]
    assert error.startswith("mailbox bad: cannot connect or log in")
    assert "not-the-password" not in error
    assert sorted(app.records_by_uid()) == uids
    assert {r.body["source"]["mailbox"] for r in app.records()} == {"good"}


def test_implicit_tls_verified_against_the_ca_file_records_mail(
    imap_user: ImapAccount, deploy: Any
) -> None:
    imap_user.server.append_many(imap_user.user, "INBOX", [filler_message(1)])
    app = deploy([mailbox_entry(imap_user, tls="implicit")])

    (box,) = app.poll_json()["mailboxes"]

    assert (box["ok"], box["recorded"]) == (True, 1)


def test_starttls_verified_against_the_ca_file_records_mail(
    imap_user: ImapAccount, deploy: Any
) -> None:
    imap_user.server.append_many(imap_user.user, "INBOX", [filler_message(1)])
    app = deploy([mailbox_entry(imap_user, tls="starttls")])

    (box,) = app.poll_json()["mailboxes"]

    assert (box["ok"], box["recorded"]) == (True, 1)


def test_plain_imap_without_allow_plaintext_is_a_config_error(
    imap_user: ImapAccount, deploy: Any
) -> None:
    app = deploy([mailbox_entry(imap_user, allow_plaintext=False)])

    done = app.run("poll")

    assert done.returncode == 2
    assert "allow_plaintext" in done.stderr
    assert "mailboxes.0" in done.stderr


def test_a_certificate_from_another_ca_fails_with_an_error_naming_the_mailbox(
    imap_user: ImapAccount, deploy: Any, tmp_path: Path
) -> None:
    other_ca = make_tls_files(tmp_path / "other-ca").ca_file
    for tls in ("implicit", "starttls"):
        app = deploy([mailbox_entry(imap_user, f"wrong-ca-{tls}", tls=tls, ca_file=str(other_ca))])

        report = app.poll_json(expect=1)

        (error,) = report["mailboxes"][0]["errors"]
        assert error.startswith(f"mailbox wrong-ca-{tls}: cannot connect"), error
        assert "CERTIFICATE_VERIFY_FAILED" in error or "certificate verify failed" in error
        assert app.records() == []
