"""End to end in a real browser: Debian's Chromium, driven by Playwright, against
``mailledger serve`` started by the test on mail polled from Dovecot.

Each test is one thing a records officer, supervisor or examiner does; each checks
both what the page shows and the entry the ledger gained. Every page is checked
with axe-core (WCAG 2.1 A/AA rules): no violations.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
expect = playwright_api.expect
# Assertions wait for the page rather than sample it once: on a loaded machine a page
# may take seconds to answer a POST, and a sampled check fails for no fault of the app.
expect.set_options(timeout=30_000)

from pipeline.demo.processes import free_port  # noqa: E402
from tests.harness.dovecot import DovecotServer  # noqa: E402
from tests.web.conftest import PASSWORD, seed_site  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SCREENSHOTS = os.environ.get("MAILLEDGER_SCREENSHOTS")  # a folder: write the README's pictures

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


class Served:
    """``mailledger serve`` on a seeded site, and the site's deployment."""

    def __init__(self, root: Path, dovecot: DovecotServer) -> None:
        self.deployment, self.record_ids, self.hostile_id = seed_site(root, dovecot)
        self.port = free_port()
        self.base = f"http://localhost:{self.port}"
        self.process = self.deployment.popen("serve", "--port", str(self.port))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise AssertionError("mailledger serve did not answer: " + self._stderr())

    def _stderr(self) -> str:
        return self.process.stderr.read() if self.process.stderr else ""

    def stop(self) -> None:
        """Stop the server (its whole process group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=30)

    def entries(self, type_: str) -> list[Any]:
        """Ledger entries of one type."""
        return [e for e in self.deployment.entries() if e.type == type_]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, dovecot: DovecotServer) -> Iterator[Served]:
    server = Served(tmp_path_factory.mktemp("served"), dovecot)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_as(browser: Any, served: Served) -> Iterator[Any]:
    """``page_as(name)``: a page in a fresh browser context, signed in as ``name``."""
    contexts: list[Any] = []
    remote: list[str] = []

    def open_as(name: str | None) -> Any:
        context = browser.new_context(accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "request",
            lambda r: (
                remote.append(r.url)
                if not r.url.startswith((served.base, "data:", "about:"))
                else None
            ),
        )
        if name is not None:
            sign_in(page, served, name)
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert remote == [], f"the browser loaded from elsewhere: {remote}"


def sign_in(page: Any, served: Served, name: str) -> None:
    page.goto(f"{served.base}/sign-in")
    page.get_by_label("Account name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/sign-in" not in page.url, page.content()[-2000:]


def no_axe_violations(page: Any, name: str) -> None:
    """axe-core finds nothing on the page; with MAILLEDGER_SCREENSHOTS, save a picture."""
    # A click that navigates returns once the new page is committed, not loaded; axe
    # run before the load finds no document on a busy machine.
    page.wait_for_load_state("load")
    result = axe_module.Axe().run(page, options=WCAG)
    assert result.response["passes"], f"{name}: axe-core checked nothing"
    assert result.violations_count == 0, f"{name}: {result.generate_report()}"
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def search_all(page: Any, served: Served, **fields: str) -> None:
    page.goto(f"{served.base}/search")
    for label, value in fields.items():
        page.get_by_label(label, exact=False).fill(value)
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()


def test_sign_in_works_from_the_keyboard_alone(page_as: Any, served: Served) -> None:
    page = page_as(None)
    page.goto(f"{served.base}/sign-in")
    no_axe_violations(page, "sign-in")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")  # brand link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "name"
    page.keyboard.type("officer")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/search$"))
    signed = served.entries("user.signed_in")[-1]
    assert signed.body["user"] == "officer"


def test_search_counts_and_masks_and_opening_a_record_asks_for_a_reason_and_is_recorded(
    page_as: Any, served: Served
) -> None:
    page = page_as("officer")
    search_all(page, served, **{"Account number": "1234567890"})
    expect(page.get_by_role("heading", name="1 record found")).to_be_visible()
    assert "****7890" in page.content() and "1234567890" not in page.content()
    assert "1234567890" not in page.url
    no_axe_violations(page, "search")
    page.get_by_role("link", name=re.compile("Notice of error")).click()
    no_axe_violations(page, "record")
    before = len(served.entries("access.viewed"))
    page.get_by_role("button", name="Open message").click()  # no reason: the browser asks
    assert page.locator("#open-reason").evaluate("e => e.validity.valueMissing") is True
    assert len(served.entries("access.viewed")) == before
    page.locator("#open-reason").fill("borrower called about the dispute")
    page.get_by_role("button", name="Open message").click()
    status = page.get_by_role("status").filter(has_text="recorded at ledger position")
    position = int(re.search(r"position (\d+)", status.inner_text()).group(1))
    viewed = next(e for e in served.entries("access.viewed") if e.seq == position)
    assert viewed.body["record_ids"] == [served.hostile_id]
    assert viewed.body["reason"] == "borrower called about the dispute"
    assert viewed.actor == "person:officer" and viewed.body["what"] == "message"
    no_axe_violations(page, "message")


def test_hostile_email_html_runs_nothing_and_loads_nothing(page_as: Any, served: Served) -> None:
    page = page_as("officer")
    page.goto(f"{served.base}/records/{served.hostile_id}")
    page.locator("#open-reason").fill("checking a suspicious message")
    page.get_by_role("button", name="Open message").click()
    frame = page.frame_locator("iframe.html-body")
    assert frame.locator("b").inner_text() == "error"
    assert page.evaluate("window.pwned") is None
    assert frame.locator("img, script, iframe, form, svg").count() == 0
    assert page.locator("iframe.html-body").get_attribute("sandbox") == ""
    # page_as fails the test if anything was requested from tracker.example or phish.example


def test_the_trail_shows_each_entry_proven_against_the_signed_checkpoint(
    page_as: Any, served: Served
) -> None:
    page = page_as("officer")
    page.goto(f"{served.base}/records/{served.hostile_id}")
    page.locator("#trail-reason").fill("audit of the record")
    page.get_by_role("button", name="Show trail with proofs").click()
    expect(page.get_by_text("Every entry is proven")).to_be_visible()
    assert "signed by mailledger.test/ledger" in page.locator(".card").inner_text()
    items = page.locator("ol.timeline > li")
    assert items.count() >= 2
    assert (
        page.locator(".proof").filter(has_text="inclusion proof verified").count() == items.count()
    )
    assert "FAILED" not in page.content()
    trail_view = served.entries("access.viewed")[-1]
    assert trail_view.body["what"] == "trail" and trail_view.body["reason"] == "audit of the record"
    no_axe_violations(page, "trail")


def _extendable(served: Served) -> str:
    from pipeline.cases.read import read_cases

    runtime = served.deployment.runtime()
    from datetime import UTC, datetime

    view = read_cases(runtime.ledger.entries(), runtime.store, datetime.now(UTC))
    for status in view.statuses:
        respond = status.deadline("respond")
        if respond is not None and respond.state != "met" and respond.deadline.extendable:
            return status.record_id
    raise AssertionError("no record with an extendable respond clock in the sample mail")


def test_a_supervisor_extends_a_clock_with_a_reason(page_as: Any, served: Served) -> None:
    page = page_as("supervisor")
    page.goto(f"{served.base}/cases")
    no_axe_violations(page, "cases")
    rid = _extendable(served)
    page.goto(f"{served.base}/cases/{rid}")
    no_axe_violations(page, "case")
    page.locator("#days").fill("15")
    page.locator("#reason").first.fill("need records from the prior servicer")
    page.get_by_role("button", name="Extend").click()
    expect(
        page.get_by_role("status").filter(has_text=f"Recorded: extend for {rid}")
    ).to_be_visible()
    extended = served.entries("case.extended")[-1]
    assert extended.body["record_id"] == rid
    assert extended.body["reason"] == "need records from the prior servicer"
    assert extended.actor == "person:supervisor"


def test_a_records_officer_sees_no_case_decisions(page_as: Any, served: Served) -> None:
    page = page_as("officer")
    page.goto(f"{served.base}/cases/{_extendable(served)}")
    assert page.get_by_role("button", name="Extend").count() == 0


def test_a_supervisor_places_a_hold_and_sees_it_listed(page_as: Any, served: Served) -> None:
    page = page_as("supervisor")
    page.goto(f"{served.base}/holds")
    page.locator("#place-records").fill(served.hostile_id)
    page.locator("#place-reason").fill("Smith v. Servicer, case 26-cv-1")
    page.get_by_role("button", name="Place a hold").click()
    row = page.get_by_role("row").filter(has_text=served.hostile_id)
    assert "Smith v. Servicer" in row.inner_text() and "held" in row.inner_text()
    added = served.entries("hold.added")[-1]
    assert added.body["record_ids"] == [served.hostile_id] and added.actor == "person:supervisor"
    no_axe_violations(page, "holds")


def test_an_export_is_built_downloaded_and_passes_the_shipped_verifier(
    page_as: Any, served: Served, tmp_path: Path
) -> None:
    page = page_as("officer")
    search_all(page, served, **{"Sender address or @domain": "@hostile.example"})
    page.goto(f"{served.base}/exports")
    page.get_by_label("Reason").first.fill("CFPB examination 2026-Q4")
    page.get_by_role("button", name="Build export").click()
    see_export_finish(page)
    expect(page.get_by_role("status").filter(has_text="1 record exported")).to_be_visible()
    created = served.entries("export.created")[-1]
    assert created.body["reason"] == "CFPB examination 2026-Q4"
    assert created.body["record_ids"] == [served.hostile_id]
    page.goto(f"{served.base}/exports")
    no_axe_violations(page, "exports")
    page.locator(f"#download-{created.seq}-reason").fill("Production to the examiner")
    with page.expect_download() as download:
        page.get_by_role("button", name=f"Download export {created.seq}").click()
    archive = tmp_path / "export.zip"
    download.value.save_as(archive)
    folder = tmp_path / "export"
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(folder)
    verifier = next(folder.rglob("verify.py"))
    done = subprocess.run(
        [sys.executable, str(verifier)],
        cwd=verifier.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    download_seen = served.entries("access.viewed")[-1]
    assert download_seen.body["what"] == f"export download {created.body['manifest_sha256']}"
    assert download_seen.body["reason"] == "Production to the examiner"


def see_export_finish(page: Any) -> None:
    """Wait on the export's progress page (it refreshes itself) until it says finished."""
    expect(page.get_by_role("progressbar")).to_have_count(1)
    page.get_by_role("heading", name="Export finished").wait_for(timeout=180_000)
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("value", bar.get_attribute("max") or "")


def test_an_export_of_a_search_by_request_kind_and_deadline_status_finishes_with_its_records(
    page_as: Any, served: Served
) -> None:
    page = page_as("officer")
    page.goto(f"{served.base}/search")
    page.get_by_label("Request kind").select_option("notice_of_error")
    page.get_by_label("Deadline status").select_option("pending")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    no_axe_violations(page, "search-deadline-status")
    shown = {
        href.rsplit("/", 1)[-1]
        for href in page.locator("table a[href^='/records/']").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
    }
    assert shown, "the demo mail has pending notices of error"
    page.goto(f"{served.base}/exports")
    page.get_by_label("Reason").first.fill("Notices of error still open, exam 2026-Q4")
    page.get_by_role("button", name="Build export").click()
    no_axe_violations(page, "export-progress")
    see_export_finish(page)
    no_axe_violations(page, "export-finished")
    created = served.entries("export.created")[-1]
    assert created.body["criteria"]["request_kind"] == "notice_of_error"
    assert created.body["criteria"]["deadline_status"] == "pending"
    assert set(created.body["record_ids"]) == shown


def test_an_examiner_gets_only_the_granted_export_and_verifies_an_upload(
    page_as: Any, served: Served, tmp_path: Path
) -> None:
    created = served.entries("export.created")[-1]
    officer = page_as("officer")
    officer.goto(f"{served.base}/exports")
    officer.locator(f"#examiner-{created.seq}").fill("examiner")
    officer.locator(f"#grant-reason-{created.seq}").fill("exam team lead")
    officer.get_by_role("button", name="Grant").first.click()
    granted = served.entries("export.granted")[-1]
    assert granted.body["grantee"] == "examiner" and granted.body["export_seq"] == created.seq

    page = page_as("examiner")
    assert page.url.endswith("/examine")
    assert [
        a.inner_text()
        for a in page.get_by_role("navigation", name="Main").get_by_role("link").all()
    ] == ["Examine"]
    page.locator(f"#download-{created.seq}-reason").fill("Production to the examiner")
    with page.expect_download() as download:
        page.get_by_role("button", name=f"Download export {created.seq}").click()
    archive = tmp_path / "granted.zip"
    download.value.save_as(archive)
    page.get_by_label("Export (.zip)").set_input_files(str(archive))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name=re.compile("^VERIFIED"))).to_be_visible()
    no_axe_violations(page, "examine")

    tampered = tmp_path / "tampered.zip"
    changed = []
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith(".eml") and not changed:
                # One byte of one native changed, whatever words the message holds.
                data = data[:-1] + bytes([data[-1] ^ 1])
                changed.append(item.filename)
            dst.writestr(item, data)
    assert changed
    page.get_by_label("Export (.zip)").set_input_files(str(tampered))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name=re.compile("^NOT VERIFIED"))).to_be_visible()
    assert ".eml" in page.get_by_role("table", name="What failed and where").inner_text()
    assert page.request.get(f"{served.base}/search").url.endswith("/search")
    assert page.goto(f"{served.base}/search").status == 403


@pytest.mark.parametrize(
    ("name", "path"),
    [("officer", "/reports"), ("officer", "/health"), ("admin", "/admin/users")],
)
def test_remaining_pages_have_no_axe_violations(
    page_as: Any, served: Served, name: str, path: str
) -> None:
    page = page_as(name)
    response = page.goto(f"{served.base}{path}")
    assert response.status == 200
    no_axe_violations(page, path.strip("/").replace("/", "-"))


def test_the_report_downloads_in_three_formats(page_as: Any, served: Served) -> None:
    page = page_as("officer")
    page.goto(f"{served.base}/reports")
    for fmt, label in (("html", "HTML with charts"), ("csv", "CSV"), ("json", "JSON")):
        with page.expect_download() as download:
            page.get_by_role("link", name=label, exact=True).click()
        assert download.value.suggested_filename == f"sla-report.{fmt}"
