"""SSO in a real browser: Debian's Chromium clicks "Sign in with SSO" on ``mailledger
serve``, signs in on the provider's own page and lands on the search page.

The app is served on ``localhost`` and the provider on ``127.0.0.1``: two sites to the
browser, as an organisation's provider is, so the ``SameSite=Strict`` session cookie is
left out of the provider's redirect back, as it is in production.
"""

from __future__ import annotations

import os
import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")

from pipeline.demo.processes import free_port  # noqa: E402
from tests.web.oidc_provider import (  # noqa: E402
    GROUPS,
    Provider,
    oidc_deployment,
    running_provider,
)

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, provider: Provider) -> Iterator[Any]:
    deployment = oidc_deployment(tmp_path_factory.mktemp("sso-served"), provider)
    port = free_port()
    process = deployment.popen("serve", "--port", str(port))
    base = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    stderr = process.stderr.read() if process.stderr else ""
                    raise AssertionError("mailledger serve did not answer: " + stderr) from None
                time.sleep(0.3)
        yield base, deployment
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 15)
            process.wait(timeout=30)


def test_sign_in_with_sso_at_the_providers_page_lands_on_search_as_the_mapped_role(
    served: Any, provider: Provider
) -> None:
    base, deployment = served
    provider.put_user(
        "sub-browser-1",
        email="reba@servicer.example",
        email_verified=True,
        groups=[GROUPS["officer"]],
    )
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_context().new_page()
            page.goto(f"{base}/sign-in")
            results = axe_module.Axe().run(page, options=WCAG)
            assert results.violations_count == 0, results.generate_report()
            page.get_by_role("link", name="Sign in with SSO").click()
            page.wait_for_url(re.compile(re.escape(provider.issuer) + r"/oauth2/authorize\?.*"))
            page.get_by_placeholder("sub").fill("sub-browser-1")
            page.get_by_role("button", name="Authorize").click()
            page.wait_for_url(re.compile(re.escape(base) + r"/search$"))
            assert page.get_by_role("heading", level=1).first.inner_text().startswith("Search")
            assert "reba@servicer.example" in page.content()
        finally:
            browser.close()
    signed = [e for e in deployment.entries() if e.type == "user.signed_in"][-1]
    assert (signed.body["user"], signed.body["roles"], signed.body["subject"]) == (
        "reba@servicer.example",
        ["records_officer"],
        "sub-browser-1",
    )
    assert signed.body["method"] == f"oidc:{provider.issuer}"
