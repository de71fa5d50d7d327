"""The site in a real headless browser (Debian's chromium, driven by selenium through Debian's
chromedriver): filtering live, the keyboard, JavaScript off, hostile catalog text that must stay text,
contrast, and screenshots kept in test-artifacts/ to look at (the browser: tests/browsing.py).
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from martechgate.check import engine
from martechgate.site import build_site
from martechgate.sources.opener import open_source
from tests.browsing import ARTIFACTS, console_errors
from tests.conftest import TODAY, GovRepo
from tests.site_catalog import XSS_NAME, XSS_PURPOSE, build_repo

pytestmark = pytest.mark.browser

TOOLS = 28  # the project's 25 and the three hostile or broken ones of site_catalog


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site of site_catalog's repo, served over HTTP on 127.0.0.1."""
    gov = GovRepo(tmp_path_factory.mktemp("gov") / "gov")
    build_repo(gov)
    out = tmp_path_factory.mktemp("site") / "public"
    build_site(engine.load_catalog(open_source(gov.path), today=TODAY), gov.path, out)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)  # a quick shutdown
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _shot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(int(height), 800), 6000))
    driver.save_screenshot(str(ARTIFACTS / f"site-{name}.png"))
    driver.set_window_size(1280, 1500)


def _visible_rows(driver: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    return [
        row.find_element(By.CSS_SELECTOR, "th a").text
        for row in driver.find_elements(By.CSS_SELECTOR, "#tools tbody tr")
        if row.is_displayed()
    ]


def _no_dialog_and_no_injection(driver: Any) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert  # noqa: B018  (the property raises when no dialog is open)
    assert driver.execute_script("return window.__xss") is None
    assert (
        driver.execute_script("return document.querySelectorAll('[onerror],[onload],[onmouseover],img,iframe').length")
        == 0
    )


def _wait(driver: Any, condition: Callable[[Any], Any]) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 10).until(condition)


def test_index_filters_as_you_type_and_choose(browser: Callable[..., Any], base_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver = browser()
    driver.get(base_url + "index.html")
    assert driver.find_element(By.ID, "filters").is_displayed()
    assert len(_visible_rows(driver)) == TOOLS
    assert driver.find_element(By.ID, "count").text == f"{TOOLS} of {TOOLS} tools shown."

    driver.find_element(By.ID, "f-q").send_keys("mailchimp")
    _wait(driver, lambda d: len(_visible_rows(d)) == 1)
    assert _visible_rows(driver) == ["Mailchimp"]
    assert driver.find_element(By.ID, "count").text == f"1 of {TOOLS} tools shown."
    assert driver.current_url.endswith("index.html?q=mailchimp")

    driver.find_element(By.CSS_SELECTOR, "#filters button[type=reset]").click()
    _wait(driver, lambda d: len(_visible_rows(d)) == TOOLS)

    Select(driver.find_element(By.ID, "f-category")).select_by_value("advertising")
    _wait(driver, lambda d: len(_visible_rows(d)) < TOOLS)
    assert _visible_rows(driver) == ["Google Ads", "LinkedIn Campaign Manager", "Meta Ads Manager"]
    Select(driver.find_element(By.ID, "f-data")).select_by_value("contact-pii")
    _wait(driver, lambda d: len(_visible_rows(d)) == 2)
    assert _visible_rows(driver) == ["Google Ads", "Meta Ads Manager"]
    _shot(driver, "index-filtered")

    driver.find_element(By.ID, "f-q").send_keys("no such tool anywhere")
    _wait(driver, lambda d: not _visible_rows(d))
    assert driver.find_element(By.ID, "none").is_displayed()

    # The filters live in the address: a shared link opens filtered.
    driver.get(base_url + "index.html?status=denied")
    assert _visible_rows(driver) == ["Drift"]
    status = Select(driver.find_element(By.ID, "f-status")).first_selected_option
    assert status.get_attribute("value") == "denied"
    assert console_errors(driver) == []


def test_the_filters_work_from_the_keyboard(browser: Callable[..., Any], base_url: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = browser()
    driver.get(base_url + "index.html")
    ActionChains(driver).send_keys(Keys.TAB).perform()
    active = driver.switch_to.active_element
    assert active.text == "Skip to content" and active.is_displayed()
    assert active.value_of_css_property("outline-style") == "solid"  # focus is visible
    active.send_keys(Keys.ENTER)
    assert driver.switch_to.active_element.get_attribute("id") == "main"
    for _ in range(40):
        if driver.switch_to.active_element.get_attribute("id") == "f-risk":
            break
        ActionChains(driver).send_keys(Keys.TAB).perform()
    select = driver.switch_to.active_element
    assert select.get_attribute("id") == "f-risk"
    assert select.value_of_css_property("outline-style") == "solid"
    select.send_keys(Keys.ARROW_DOWN)  # "Any" -> "low"
    _wait(driver, lambda d: len(_visible_rows(d)) < TOOLS)
    assert select.get_attribute("value") == "low"
    assert "tools shown" in driver.find_element(By.ID, "count").text


def test_a_tool_page_opens_and_hostile_text_stays_text(browser: Callable[..., Any], base_url: str) -> None:
    from selenium.webdriver.common.by import By

    driver = browser()
    driver.get(base_url + "index.html")
    _no_dialog_and_no_injection(driver)
    driver.find_element(By.ID, "f-q").send_keys("onerror")  # the search finds the hostile name as text
    _wait(driver, lambda d: len(_visible_rows(d)) == 2)
    assert _visible_rows(driver) == [XSS_NAME, XSS_NAME]  # xss-tool and broken-tool
    driver.find_element(By.CSS_SELECTOR, "tr[data-key=xss-tool] th a").click()
    _wait(driver, lambda d: "/tools/" in d.current_url)
    assert driver.find_element(By.TAG_NAME, "h1").text == XSS_NAME
    assert XSS_PURPOSE.strip() in driver.find_element(By.CSS_SELECTOR, ".lead.purpose").text
    _no_dialog_and_no_injection(driver)
    _shot(driver, "tool-xss")

    driver.get(base_url + "tools/hubspot-marketing-hub.html")
    assert driver.find_element(By.TAG_NAME, "h1").text == "HubSpot Marketing Hub"
    assert "158 days left" in driver.find_element(By.ID, "exceptions").find_element(By.XPATH, "..").text
    driver.find_element(By.LINK_TEXT, "Salesforce Sales Cloud").click()
    _wait(driver, lambda d: d.current_url.endswith("/tools/salesforce-sales-cloud.html"))
    _shot(driver, "tool-salesforce")

    for page in ("flows.html", "renewals.html", "spend.html", "tools/broken-tool.html"):
        driver.get(base_url + page)
        _no_dialog_and_no_injection(driver)
        assert console_errors(driver) == [], page  # nothing blocked by the content security policy
    _shot(driver, "broken-tool")
    driver.get(base_url + "flows.html")
    _shot(driver, "flows")
    driver.get(base_url + "spend.html")
    _shot(driver, "spend")
    driver.get(base_url + "renewals.html")
    _shot(driver, "renewals")


def test_everything_is_there_without_javascript(browser: Callable[..., Any], base_url: str) -> None:
    from selenium.webdriver.common.by import By

    driver = browser(javascript=False)
    driver.get(base_url + "index.html")
    assert not driver.find_element(By.ID, "filters").is_displayed()  # a form that needs the script
    assert len(_visible_rows(driver)) == TOOLS
    assert driver.find_element(By.ID, "count").text == f"{TOOLS} tools."
    _shot_without_script(driver, "index-no-js")
    driver.find_element(By.XPATH, "//summary[starts-with(normalize-space(.), 'Category')]").click()
    driver.find_element(By.LINK_TEXT, "advertising").click()
    _wait(driver, lambda d: d.current_url.endswith("/by/category/advertising.html"))
    assert _visible_rows(driver) == ["Google Ads", "LinkedIn Campaign Manager", "Meta Ads Manager"]
    driver.find_element(By.LINK_TEXT, "Meta Ads Manager").click()
    assert driver.find_element(By.TAG_NAME, "h1").text == "Meta Ads Manager"
    driver.get(base_url + "tools/xss-tool.html")
    assert driver.find_element(By.TAG_NAME, "h1").text == XSS_NAME


def _shot_without_script(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"site-{name}.png"))


CONTRAST = """
function lum(c) {
  var v = c.match(/[\\d.]+/g).slice(0, 3).map(function (x) {
    x = x / 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
}
function background(el) {
  for (; el; el = el.parentElement) {
    var bg = getComputedStyle(el).backgroundColor;
    var alpha = bg.match(/[\\d.]+/g);
    if (alpha && (alpha.length < 4 || +alpha[3] > 0.5)) { return bg; }
  }
  return "rgb(255, 255, 255)";
}
var bad = [], seen = 0;
var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  var node = walker.currentNode, el = node.parentElement;
  if (!node.textContent.trim() || !el.getClientRects().length) { continue; }
  if (el.closest("svg") && el.tagName !== "text") { continue; }
  var style = getComputedStyle(el);
  var fg = el.closest("svg") ? style.fill : style.color;
  var a = lum(fg), b = lum(background(el));
  var ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  seen++;
  var size = parseFloat(style.fontSize);
  var large = size >= 24 || (size >= 18.66 && +style.fontWeight >= 700);
  if (ratio < (large ? 3 : 4.5)) { bad.push(node.textContent.trim().slice(0, 40) + " " + ratio.toFixed(2)); }
}
return [seen, bad];
"""


def test_text_contrast_meets_wcag_aa(browser: Callable[..., Any], base_url: str) -> None:
    driver = browser()
    for page in (
        "index.html",
        "tools/hubspot-marketing-hub.html",
        "renewals.html",
        "spend.html",
        "flows.html",
        "propose.html",
    ):
        driver.get(base_url + page)
        seen, bad = driver.execute_script(CONTRAST)
        assert seen > 20, page
        assert bad == [], f"{page}: {bad}"


PAGES = (
    "index.html",
    "tools/hubspot-marketing-hub.html",
    "tools/xss-tool.html",
    "renewals.html",
    "spend.html",
    "flows.html",
    "by/category/marketing-automation.html",
    "propose.html",
)


@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_fits_the_width_and_the_findings_stay_on_screen(
    browser: Callable[..., Any], base_url: str, width: int
) -> None:
    """No page scrolls sideways at 1280 px or on a 390 px phone, and the tools table shows its Findings
    column without scrolling (the hostile entries of site_catalog have long unbroken names)."""
    driver = browser()
    driver.set_window_size(width, 900)
    for page in PAGES:
        driver.get(base_url + page)
        viewport = driver.execute_script("return document.documentElement.clientWidth")
        assert driver.execute_script("return document.documentElement.scrollWidth") <= viewport, (page, width)
        # a region that scrolls inside the page still hides part of the table: none may
        wide = driver.execute_script(
            "return Array.from(document.querySelectorAll('.table-wrap'))"
            ".filter(w => w.scrollWidth > w.clientWidth + 1).length"
        )
        assert wide == 0, (page, width)
    driver.get(base_url + "index.html")
    right = driver.execute_script(
        "return document.querySelector('#tools thead th:nth-child(2)').getBoundingClientRect().right"
    )
    assert (
        driver.execute_script("return document.querySelector('#tools thead th:nth-child(2)').textContent") == "Findings"
    )
    assert right <= driver.execute_script("return document.documentElement.clientWidth")
    phone = width < 600
    assert driver.find_element("css selector", ".narrow-note").is_displayed() == phone
    assert driver.find_element("css selector", "#tools thead .col-owners").is_displayed() != phone
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"site-index-{width}px.png"))
    driver.get(base_url + "renewals.html")
    driver.save_screenshot(str(ARTIFACTS / f"site-renewals-{width}px.png"))
