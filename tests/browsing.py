"""Real headless Chromium for the tests of pages (Debian's chromium, driven by selenium through Debian's
chromedriver): the `browser` fixture, and the console messages a page logged.

Each test process starts one Chromium with JavaScript on and gives every browser test a fresh tab of
it: starting Chromium costs 1-2 s of CPU, and about 55 tests use it. A fresh tab carries nothing over
(page, emulated media, window size, console messages; the pages keep no storage). In CI (CI set) a
missing browser fails these tests: they must run there, not skip.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts"  # screenshots and PDFs, to look at
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1500",
)


def _unavailable(message: str) -> None:
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{message}; in CI the browser tests must run (.ci/run installs chromium)")
    pytest.skip(message)


def _programs() -> tuple[str, str]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        _unavailable(
            "Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
        )
    try:
        import selenium  # noqa: F401
    except ImportError:
        _unavailable("selenium is not installed (pip install -e '.[test]')")
    assert chromium and driver
    return chromium, driver


def _start(profile: Path, javascript: bool) -> Any:
    chromium, driver_path = _programs()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # A dialog left open makes the next command fail, rather than being dismissed quietly.
    options.set_capability("unhandledPromptBehavior", "ignore")
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(30)
    return driver


def _fresh_tab(driver: Any) -> None:
    """A new tab, every other one closed, at the starting window size, with the console log read empty."""
    old = driver.window_handles
    driver.switch_to.new_window("tab")
    fresh = driver.current_window_handle
    for handle in old:
        driver.switch_to.window(handle)
        driver.close()
    driver.switch_to.window(fresh)
    driver.set_window_size(1280, 1500)
    driver.get_log("browser")


@pytest.fixture(scope="session")
def shared_chromium() -> Iterator[list[Any]]:
    """The test process's Chromium with JavaScript on (none, or one): started on first use, quit at the end."""
    shared: list[Any] = []
    yield shared
    for driver in shared:
        driver.quit()


@pytest.fixture
def browser(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, shared_chromium: list[Any]
) -> Iterator[Callable[..., Any]]:
    """Chromium with or without JavaScript. The first with JavaScript is a fresh tab of the shared one
    (started again if the last test left it unusable); any other is started for this test alone and quit
    at the end."""
    from selenium.common.exceptions import WebDriverException

    own: list[Any] = []
    shared_taken = False

    def start(javascript: bool = True) -> Any:
        nonlocal shared_taken
        if javascript and not shared_taken:
            shared_taken = True
            if shared_chromium:
                try:
                    _fresh_tab(shared_chromium[0])
                    return shared_chromium[0]
                except WebDriverException:  # crashed, or a dialog left open: a new one from this test on
                    with contextlib.suppress(WebDriverException):
                        shared_chromium.pop().quit()
            shared_chromium.append(_start(tmp_path_factory.mktemp("chromium"), javascript=True))
            _fresh_tab(shared_chromium[0])
            return shared_chromium[0]
        driver = _start(tmp_path / f"profile-{len(own)}", javascript)
        own.append(driver)
        return driver

    yield start
    for driver in own:
        driver.quit()


def console_errors(driver: Any) -> list[str]:
    """The errors the page logged to the console since the test's tab was opened (or since last asked)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
