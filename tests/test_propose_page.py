"""The site's "Propose a tool" page in real headless Chromium, opened from file:// as a person would
open a downloaded site: the page and `martechgate new` agree (risk tier, reviewers, overlap, answers),
the form is filled from the keyboard and its file passes `check`, and problems are announced."""

from __future__ import annotations

import json
import shutil
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from martechgate.check import engine
from martechgate.check.risk import computed_tier
from martechgate.gate.applicable import ChangedFile, applicable_rules
from martechgate.intake import proposal
from martechgate.intake.proposal import Draft, Invalid
from martechgate.site import ProposeTarget, build_site
from martechgate.sources.opener import open_source
from tests.browsing import ARTIFACTS, console_errors
from tests.conftest import ROOT, TODAY, GovRepo
from tests.test_review_rules_match import HR_RULES, ORG_TEXT

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def governed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GovRepo, Path]]:
    """The project's own catalog in a governance repo, and its site (proposals go to acme/governance)."""
    gov = GovRepo(tmp_path_factory.mktemp("gov") / "gov")
    for path in sorted((ROOT / "catalog").glob("*.yaml")):
        shutil.copy(path, gov.path / "catalog" / path.name)
    gov.commit("Import the catalog")
    out = tmp_path_factory.mktemp("site") / "public"
    catalog = engine.load_catalog(open_source(gov.path), today=TODAY)
    build_site(catalog, gov.path, out, ProposeTarget("acme/governance", "main"))
    yield gov, out


@pytest.fixture
def page(browser: Callable[..., Any], governed: tuple[GovRepo, Path]) -> Any:
    driver = browser()
    driver.get((governed[1] / "propose.html").as_uri())
    return driver


def _js(driver: Any, call: str, *args: Any) -> Any:
    return driver.execute_script(f"return window.martechgatePropose.{call};", *args)


ENTRIES = [
    {"id": "a-tool", "status": "proposed"},
    {"id": "b-tool", "status": "proposed", "data": {"classification": "confidential", "categories": ["contact-pii"]}},
    {"id": "c-tool", "status": "proposed", "data": {"classification": "restricted", "categories": ["phi"]}},
    {"id": "d-tool", "status": "proposed", "data": {"classification": "internal", "categories": ["behavioral"]}},
    {"id": "e-tool", "status": "proposed", "contract": {"annual_cost": 30000}},
    {"id": "f-tool", "status": "proposed", "contract": {"annual_cost": 150000}},
    {"id": "g-tool", "status": "proposed", "oauth": {"consent": "tenant"}},
    {"id": "h-tool", "status": "proposed", "integrations": [{"target": "x", "data": ["payment"]}]},
    {"id": "i-tool", "status": "proposed", "review": {"risk_tier": "critical"}},
    # Money: converted by the organisation's rates, or (NOK has none) assumed to reach the threshold.
    {"id": "j-tool", "status": "proposed", "contract": {"annual_cost": 1_000_000, "currency": "JPY"}},
    {"id": "k-tool", "status": "proposed", "contract": {"annual_cost": 20_000_000, "currency": "JPY"}},
    {"id": "l-tool", "status": "proposed", "contract": {"annual_cost": 30_000, "currency": "NOK"}},
    {"id": "m-tool", "status": "proposed", "contract": {"annual_cost": 0, "currency": "NOK"}},
    {"id": "n-tool", "status": "proposed", "contract": {"annual_cost": 47_000, "currency": "EUR"}},
]


def test_the_page_computes_the_tier_and_reviewers_python_does(page: Any, governed: tuple[GovRepo, Path]) -> None:
    organization = engine.load_catalog(open_source(governed[0].path), today=TODAY).organization
    for entry in ENTRIES:
        tier, reasons = _js(page, "computedTier(arguments[0])", entry)
        assert (tier, reasons) == computed_tier(entry, organization.money), entry
        finished = _js(page, "finish(arguments[0])", entry)
        assert finished == proposal.finish(entry, organization.money), entry
        rules = [r["name"] for r in _js(page, "reviewers(arguments[0])", finished)]
        expected = [a.rule.name for a in applicable_rules(organization, [ChangedFile.proposed(finished)])]
        assert rules == expected, entry
    assert console_errors(page) == []


def test_the_page_finds_the_overlaps_new_finds(page: Any, governed: tuple[GovRepo, Path]) -> None:
    catalog = engine.load_catalog(open_source(governed[0].path), today=TODAY)
    catalog_ids = {e.id: e.data for e in catalog.entries if e.id and isinstance(e.data, dict)}
    cases = [
        {"name": "Mailchimp"},  # the same product
        {"name": "HubSpot"},  # contained in HubSpot Marketing Hub
        {"name": "Totally New Thing", "vendor": {"name": "HubSpot, Inc."}},  # the same vendor
        {"name": "Mailer X", "category": "email", "capabilities": ["email"]},  # the same job
        {"name": "Quiet Unique Tool", "category": "design", "capabilities": ["holograms"]},  # nothing
    ]
    for case in cases:
        page_ids = [o["id"] for o in _js(page, "overlaps(arguments[0])", case)]
        python_ids = [o.entry_id for o in proposal.overlaps(case, catalog_ids)]
        assert sorted(page_ids) == sorted(python_ids), case
    assert _js(page, "overlaps(arguments[0])", cases[-1]) == []


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("id", "Bad Id"),
        ("id", "mailchimp"),
        ("id", "pitch-deck"),
        ("vendor.website", "www.example.com"),
        ("vendor.website", "not a site"),
        ("vendor.country", "gb"),
        ("vendor.country", "GBR"),
        ("vendor.country", "XX"),  # the shape of a code, and no country
        ("vendor.country", "uk"),
        ("vendor.country", "EU"),
        ("owners.business", "jane.doe@example.com"),
        ("owners.business", "jane.doe"),
        ("owners.business", "<Jane.Doe+x@Example.com>"),
        ("owners.business", "Jane Doe <jane@example.com>"),
        ("owners.business", "jané@example.com"),
        ("data.categories", "contact-pii, behavioral"),
        ("data.categories", "none, phi"),
        ("data.residency", "us, ie"),
        ("contract.annual_cost", "12,000.50"),
        ("contract.annual_cost", "-5"),
        ("contract.seats", "2_500"),
        ("contract.seats", "ten"),
        ("contract.currency", "eur"),
        ("contract.currency", "ABC"),
        ("contract.currency", "rmb"),
        ("data.residency", "IE, XK"),
        ("integrations.target", "mailchimp"),
        ("integrations.target", "nothing-like-it"),
        ("integrations.direction", "outbound"),
        ("integrations.direction", "sideways"),
        ("integrations.data", "contact-pii, behavioral"),
        ("integrations.method", "zapier"),
        ("contract.renewal", "2027-02-30"),
        ("contract.renewal", "2026-01-01"),
        ("contract.renewal", "2027-09-01"),
        ("security.sso", "SAML"),
        ("security.sso", "kerberos"),
        ("security.scim", "yes"),
        ("capabilities", "Email, landing pages"),
    ],
)
def test_an_answer_means_the_same_on_the_page_and_in_new(
    page: Any, governed: tuple[GovRepo, Path], key: str, text: str
) -> None:
    catalog = engine.load_catalog(open_source(governed[0].path), today=TODAY)
    draft = Draft(catalog.organization, {e.id: {} for e in catalog.entries if e.id}, TODAY)
    connection = [replace(q, key=f"integrations.{q.key}") for q in proposal.INTEGRATION_QUESTIONS]
    questions = [*proposal.QUESTIONS, *connection]
    question = next(q for q in questions if q.key == key)
    result = _js(page, "parse(arguments[0], arguments[1])", key, text)
    try:
        expected = question.parse(text, draft)
    except Invalid as problem:
        assert "problem" in result, (key, text, result)
        if question.flag in ("country", "residency", "currency"):  # the same ISO tables, the same words
            assert result["problem"] == str(problem)
    else:
        assert result == {"value": expected}, (key, text)


ANSWERS = [  # (field id, what to type or choose), in the order of the form
    ("q-name", "Pitch Deck Studio"),
    ("q-vendor", "Deckworks Ltd"),
    ("q-website", "deckworks.example.com"),
    ("q-country", "GB"),
    ("q-purpose", "Sales decks for **field marketing**, with the brand templates"),
    ("q-category", "design"),
    ("q-capabilities", "slides, templates"),
    ("q-business-owner", "jane.doe@example.com"),
    ("q-technical-owner", "raj.patel@example.com"),
    ("q-department", "field-marketing"),
    ("q-classification", "internal"),
    ("q-data", ["none"]),
    ("q-residency", "GB, IE"),
    ("q-sso", "saml"),
    ("q-mfa", "enforced"),
    ("q-scim", "yes"),
    ("q-annual-cost", "2,400"),
    ("q-currency", "EUR"),
    ("q-seats", "10"),
    ("q-payment", "invoice"),
    ("q-renewal", "2027-09-01"),
    ("q-auto-renew", "no"),
    ("q-implementation-cost", "0"),
    ("q-support-hours", "1"),
]


def _answer(driver: Any, field_id: str, value: str | list[str]) -> None:
    """Type or choose from the keyboard: focus the field, then keys only (a select takes its option's
    first letters, as a person types them)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    element = driver.find_element(By.ID, field_id)
    if isinstance(value, list):
        for box in element.find_elements(By.CSS_SELECTOR, "input[type=checkbox]"):
            if box.get_attribute("value") in value:
                box.send_keys(Keys.SPACE)
        return
    if element.tag_name == "select":
        element.send_keys(value)
        assert Select(element).first_selected_option.get_attribute("value") == value
        return
    element.clear()
    element.send_keys(value)


def test_fill_the_form_from_the_keyboard_and_the_file_passes_check(
    page: Any, governed: tuple[GovRepo, Path], run_cli: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = page
    assert driver.find_element(By.ID, "propose").is_displayed()
    assert not driver.find_element(By.ID, "needs-script").is_displayed()
    for field_id, value in ANSWERS:
        _answer(driver, field_id, value)
    # No personal data: the questions about whom, the EU and retention are not asked.
    assert not driver.find_element(By.ID, "w-subjects").is_displayed()
    assert not driver.find_element(By.ID, "w-retention-days").is_displayed()
    assert not driver.find_element(By.ID, "w-notice-days").is_displayed()  # does not auto-renew
    assert driver.find_element(By.ID, "tier").text == "low"
    reviewers = driver.find_element(By.ID, "reviewers").text
    assert "1 from marketing" in reviewers and "1 from it" in reviewers and "joint-cmo-cio" in reviewers
    assert "security" not in reviewers
    # Overlap: Canva is approved for design; with its capability the warning appears, live.
    assert not driver.find_element(By.ID, "overlap").is_displayed()
    capabilities = driver.find_element(By.ID, "q-capabilities")
    capabilities.send_keys(", brand-templates")
    overlap = driver.find_element(By.ID, "overlap-list").text
    assert "Canva for Teams is already approved for design (same capabilities: brand-templates)" in overlap
    assert driver.find_element(By.CSS_SELECTOR, "#overlap [aria-live=polite]")
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "propose-filled.png"))

    submit = driver.find_element(By.CSS_SELECTOR, "#propose button[type=submit]")
    submit.send_keys(Keys.ENTER)
    heading = driver.find_element(By.ID, "result-heading")
    assert heading.is_displayed()
    assert driver.switch_to.active_element == heading  # focus moves to what happened
    text = driver.find_element(By.ID, "yaml").get_attribute("value")
    assert driver.find_element(By.ID, "yaml-label").text == "catalog/pitch-deck-studio.yaml"
    download = driver.find_element(By.ID, "download")
    assert download.get_attribute("download") == "pitch-deck-studio.yaml"
    assert urllib.parse.unquote(download.get_attribute("href").split(",", 1)[1]) == text
    form_link = driver.find_element(By.PARTIAL_LINK_TEXT, "issue form").get_attribute("href")
    assert form_link == "https://github.com/acme/governance/issues/new?template=propose-a-tool.yml"
    github = urllib.parse.urlsplit(driver.find_element(By.ID, "github").get_attribute("href"))
    assert (github.scheme, github.netloc, github.path) == ("https", "github.com", "/acme/governance/new/main")
    query = urllib.parse.parse_qs(github.query)
    assert query["filename"] == ["catalog/pitch-deck-studio.yaml"] and query["value"] == [text]
    driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    driver.save_screenshot(str(ARTIFACTS / "propose-result.png"))
    assert console_errors(driver) == []

    # The file is what `new` would write, and `check` accepts it in the governance repo.
    repo = governed[0].copy_to(tmp_path / "gov")
    (repo.path / "catalog" / "pitch-deck-studio.yaml").write_text(text, encoding="utf-8")
    result = run_cli("check", str(repo.path), "--today", TODAY.isoformat(), "--format", "json", "--no-cache")
    report = json.loads(result.stdout)
    mine = [f for f in report["findings"] if f["file"] == "catalog/pitch-deck-studio.yaml"]
    assert mine == [] and result.returncode == 0, mine
    entry = engine.load_catalog(open_source(repo.path), today=TODAY)
    data = next(e.data for e in entry.entries if e.id == "pitch-deck-studio")
    assert data["status"] == "proposed" and data["review"] == {"risk_tier": "low"}
    assert data["contract"]["annual_cost"] == 2400 and data["security"]["scim"] is True
    assert data["capabilities"] == ["slides", "templates", "brand-templates"]


def test_problems_are_shown_beside_each_answer_and_announced(page: Any) -> None:
    from selenium.webdriver.common.by import By

    driver = page
    _answer(driver, "q-name", "Mailchimp")
    assert "Mailchimp is already in the catalog" in driver.find_element(By.ID, "overlap-list").text
    _answer(driver, "q-business-owner", "jane.doe@example.com")
    _answer(driver, "q-technical-owner", "JANE.DOE@example.com")
    error = driver.find_element(By.ID, "e-technical-owner")
    assert "must be a different person" in error.text
    field = driver.find_element(By.ID, "q-technical-owner")
    assert field.get_attribute("aria-invalid") == "true"
    assert "e-technical-owner" in field.get_attribute("aria-describedby")
    _answer(driver, "q-id", "Mailchimp")
    driver.find_element(By.CSS_SELECTOR, "#propose button[type=submit]").click()
    problems = driver.find_element(By.ID, "problems")
    assert problems.is_displayed() and problems.get_attribute("role") == "alert"
    assert driver.switch_to.active_element == problems
    assert "cannot be an id" in problems.text and "This one is needed" in problems.text
    assert not driver.find_element(By.ID, "result").is_displayed()
    link = problems.find_element(By.CSS_SELECTOR, "a[href='#q-purpose']")
    assert link.text.startswith("What will you use it for?")
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "propose-problems.png"))


def test_every_question_has_a_label_and_its_help(page: Any) -> None:
    from selenium.webdriver.common.by import By

    for question in proposal.QUESTIONS:
        field = page.find_element(By.ID, f"q-{question.flag}")
        described = field.get_attribute("aria-describedby").split()
        assert f"h-{question.flag}" in described
        if field.tag_name == "fieldset":
            assert field.find_element(By.TAG_NAME, "legend").get_attribute("textContent") == question.text
        else:  # textContent: a question not asked yet is hidden, and still labelled
            label = page.find_element(By.CSS_SELECTOR, f"label[for='q-{question.flag}']")
            assert label.get_attribute("textContent").startswith(question.text)


def test_connections_are_asked_as_new_asks_them_and_the_file_passes_check(
    page: Any, governed: tuple[GovRepo, Path], run_cli: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = page
    for field_id, value in ANSWERS:
        _answer(driver, field_id, value)
    assert driver.find_element(By.ID, "tier").text == "low"
    add = driver.find_element(By.ID, "add-integration")
    add.send_keys(Keys.ENTER)
    assert driver.switch_to.active_element == driver.find_element(By.ID, "i1-0")  # focus on its first question
    label = driver.find_element(By.CSS_SELECTOR, "label[for='i1-0']").get_attribute("textContent")
    assert label.startswith("Connects to") and "Enter" not in label
    _answer(driver, "i1-0", "hubspot-marketing-hub")
    _answer(driver, "i1-1", "outbound")
    _answer(driver, "i1-2", ["contact-pii"])
    _answer(driver, "i1-3", "native")
    # A connection that carries personal data raises the tier, live, as computed_tier says.
    assert driver.find_element(By.ID, "tier").text == "medium"
    assert "integrations carry contact-pii" in driver.find_element(By.ID, "tier-reasons").text
    # The same tool twice is refused beside the answer, and the second connection can be removed.
    add.send_keys(Keys.ENTER)
    _answer(driver, "i2-0", "hubspot-marketing-hub")
    error = driver.find_element(By.ID, "i2-0-e")
    assert "already listed" in error.text
    assert driver.find_element(By.ID, "i2-0").get_attribute("aria-invalid") == "true"
    second = driver.find_elements(By.CSS_SELECTOR, "#integration-list > .integration")[1]
    assert second.find_element(By.TAG_NAME, "legend").text.startswith("Connection 2")
    second.find_element(By.CSS_SELECTOR, "button.remove").send_keys(Keys.ENTER)
    assert len(driver.find_elements(By.CSS_SELECTOR, "#integration-list > .integration")) == 1
    assert driver.switch_to.active_element == add
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "propose-connections.png"))

    driver.find_element(By.CSS_SELECTOR, "#propose button[type=submit]").send_keys(Keys.ENTER)
    assert driver.find_element(By.ID, "result-heading").is_displayed()
    text = driver.find_element(By.ID, "yaml").get_attribute("value")
    assert console_errors(driver) == []
    repo = governed[0].copy_to(tmp_path / "gov")
    (repo.path / "catalog" / "pitch-deck-studio.yaml").write_text(text, encoding="utf-8")
    result = run_cli("check", str(repo.path), "--today", TODAY.isoformat(), "--format", "json", "--no-cache")
    mine = [f for f in json.loads(result.stdout)["findings"] if f["file"] == "catalog/pitch-deck-studio.yaml"]
    assert mine == [] and result.returncode == 0, mine
    catalog = engine.load_catalog(open_source(repo.path), today=TODAY)
    data = next(e.data for e in catalog.entries if e.id == "pitch-deck-studio")
    assert data["integrations"] == [
        {"target": "hubspot-marketing-hub", "direction": "outbound", "data": ["contact-pii"], "method": "native"}
    ]
    assert data["review"] == {"risk_tier": "medium"}


def test_the_page_routes_categories_and_departments_as_the_gate_does(
    browser: Callable[..., Any],
    tmp_path: Path,
) -> None:
    """An organisation with HR's own rules (by category, by department): the page's reviewers and their
    reasons are the gate's, for exact, differently written, misspelt and look-alike departments."""
    gov = GovRepo(tmp_path / "gov")
    text = ORG_TEXT.replace("  finance:", "  people-team: {members: [ana-ruiz, ben-cho]}\n  finance:")
    (gov.path / "martechgate.yaml").write_text(
        text.replace("    - {name: big-spend,", HR_RULES + "    - {name: big-spend,")
    )
    gov.commit("HR reviews HR tools")
    catalog = engine.load_catalog(open_source(gov.path), today=TODAY)
    build_site(catalog, gov.path, tmp_path / "site", ProposeTarget("acme/governance", "main"))
    driver = browser()
    driver.get((tmp_path / "site" / "propose.html").as_uri())
    owners = {"business": "jane@example.com", "technical": "raj@example.com"}
    departments = ["Human Resources", "human  RESOURCES", "Humn Resources", "Hum\u0430n Resources", "Marketing"]
    entries = [{"id": "hr-tool", "status": "proposed", "category": "hr-systems"}] + [
        {"id": "x-tool", "status": "proposed", "owners": {**owners, "department": name}} for name in departments
    ]
    seen = []
    for entry in entries:
        finished = _js(driver, "finish(arguments[0])", entry)
        on_page = [(r["name"], "; ".join(r["reasons"])) for r in _js(driver, "reviewers(arguments[0])", finished)]
        applied = applicable_rules(catalog.organization, [ChangedFile.proposed(finished)])
        gate = [(a.rule.name, a.reason) for a in applied]
        assert on_page == gate, entry
        seen += [reason for name, reason in gate if name.startswith("hr-")]
    assert seen == [
        "category is hr-systems",
        "department is Human Resources",
        "department is human  RESOURCES",
        "department is Humn Resources (written like Human Resources)",
        "department is Hum\u0430n Resources (written like Human Resources)",
    ]
    assert console_errors(driver) == []
