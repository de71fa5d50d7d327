"""The audit report as an auditor receives it: `martechgate audit --format html` opened in real headless
Chromium from file://, on screen, on a phone and printed to PDF. Its PDF and screenshots are kept in
test-artifacts/ to look at."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from martechgate.audit import report as audit
from martechgate.audit.records import SigningKey
from martechgate.sources.git import Git
from tests.browsing import ARTIFACTS, console_errors
from tests.conftest import GovRepo
from tests.test_audit import build

PERIOD = ("--since", "2026-04-01", "--until", "2026-06-30")


def test_the_view_groups_events_by_change_and_names_what_each_introduced(gov: GovRepo, ci_key: SigningKey) -> None:
    shas = build(gov, ci_key)
    view = audit.html_view(audit.build(Git(gov.path), date(2026, 4, 1), date(2026, 6, 30)))
    changes = view["changes"]
    assert [(c["commit"], c["event"]) for c in changes] == [
        (shas["forms"], "added"),
        (shas["waiver"], "changed"),
        (shas["direct"], "changed"),
    ]
    added, waiver, direct = changes
    assert (added["verdict_class"], added["record_class"], added["reasons"]) == ("pass", "pass", [])
    assert [e["event"] for e in waiver["exceptions"]] == ["exception-granted"]
    # Personal data at the tier of a tool without any: blocking, and introduced by this change.
    assert waiver["reasons"] == ["the check blocked it (risk-tier-understated)", "no approval record"]
    assert waiver["introduced"] == ["risk-tier-understated"]
    # The direct push turned SSO off while holding personal data: a hard rule it introduced; the
    # understated tier was already there, so it is not this change's doing.
    assert direct["verdict_class"] == "fail" and "pii-requires-sso" in direct["introduced"]
    assert "risk-tier-understated" not in direct["introduced"]
    assert direct["reasons"][0].startswith("the check blocked it (") and direct["reasons"][1] == "no approval record"
    assert [e["event"] for e in direct["exceptions"]] == ["exception-changed"]
    assert view["attention"] == [waiver, direct]
    assert [e["event"] for e in view["expiries"]] == ["exception-expired"]
    assert view["counts"] == {"approved": 1, "not_approved": 0, "no_record": 2, "blocked": 2, "exceptions": 2}


@pytest.mark.browser
def test_an_auditor_reads_it_on_screen_and_prints_it(
    gov: GovRepo,
    ci_key: SigningKey,
    run_cli: Any,
    tmp_path: Path,
    browser: Callable[..., Any],
) -> None:
    from selenium.webdriver.common.by import By

    shas = build(gov, ci_key)
    out = tmp_path / "audit.html"
    result = run_cli("audit", *PERIOD, "--repo", str(gov.path), "--format", "html", "--output", str(out))
    assert result.returncode == 0, result.stderr
    driver = browser()
    driver.get(out.as_uri())
    assert driver.execute_script("return document.querySelectorAll('script').length") == 0
    # The tool named "<script>alert(1)</script> Forms" is text: no dialog opened, the name shows as typed.
    assert "<script>alert(1)</script> Forms" not in driver.page_source
    # Every link of the table of contents leads to a part of the report.
    links = driver.find_elements(By.CSS_SELECTOR, "nav.toc a")
    assert len(links) == 4 + 3  # the four parts, and the three changes
    for link in links:
        target = link.get_attribute("href").split("#", 1)[1]
        assert driver.find_elements(By.ID, target), target
    direct = driver.find_element(By.ID, "change-3")
    assert shas["direct"] in direct.text and "blocking" in direct.text
    assert "pii-requires-sso" in [m.text for m in direct.find_elements(By.CSS_SELECTOR, "mark.finding")]
    attention = driver.find_element(By.ID, "attention").text
    assert "the check blocked it" in attention and "no approval record" in attention
    assert driver.find_element(By.ID, "change-1").find_elements(By.CSS_SELECTOR, "mark.finding") == []
    ARTIFACTS.mkdir(exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(int(height), 800), 6000))
    driver.save_screenshot(str(ARTIFACTS / "audit-report.png"))
    # On a phone nothing runs off the side.
    driver.set_window_size(390, 844)
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
    driver.save_screenshot(str(ARTIFACTS / "audit-report-phone.png"))

    # Printed: each part starts a page, the skip link is gone, the verdicts stay readable in black.
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    style = "return getComputedStyle(document.querySelector(arguments[0]))[arguments[1]]"
    assert driver.execute_script(style, "a.skip", "display") == "none"
    assert driver.execute_script(style, "#summary-heading", "breakBefore") == "page"
    assert driver.execute_script(style, "#change-3", "breakInside") == "avoid"
    assert driver.execute_script(style, "mark.finding", "color") == "rgb(0, 0, 0)"
    pdf = base64.b64decode(driver.print_page())
    assert pdf.startswith(b"%PDF-") and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 3
    (ARTIFACTS / "audit-report.pdf").write_bytes(pdf)
    assert console_errors(driver) == []
