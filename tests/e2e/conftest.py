"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, and a real portal under
gunicorn with a fresh SQLite instance for each journey.

Run them with `make e2e`; `E2E_SCREENSHOTS=docs/screenshots` also saves the guides' screenshots.
"""
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.e2e.checks import SCANNED, BrowserLog
from tests.e2e.server import REPO, PortalServer

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def pytest_configure(config):
    # Registered here too, so that the suite runs under --strict-markers before pyproject lists it.
    config.addinivalue_line("markers", "e2e: end-to-end tests in Chromium; run by `make e2e`")


def chromium_path():
    """`E2E_CHROMIUM`, else Debian's `chromium` on PATH (Playwright's own download is not used)."""
    found = os.environ.get("E2E_CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")
    if not found:
        pytest.fail("Chromium is not installed: `apt-get install -y chromium`, or set E2E_CHROMIUM")
    return found


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(),
                                              args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def prepared_instance(tmp_path_factory):
    """An instance folder set up once (migrated, the 2014 contest loaded, an organizer, another
    applicant's proposal); each portal starts from a copy of it."""
    folder = tmp_path_factory.mktemp("prepared") / "instance"
    PortalServer(folder).prepare()
    return folder


def _portal_from(prepared, folder):
    shutil.copytree(prepared, folder)
    return PortalServer(folder).start()


@pytest.fixture
def portal(prepared_instance, tmp_path, request):
    """A fresh portal of its own, served by gunicorn on a free port; its log is printed when
    the test fails."""
    server = _portal_from(prepared_instance, tmp_path / "instance")
    yield server
    server.stop()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:  # the server's warnings, without the access log
        lines = [line for line in server.log_text().splitlines()
                 if not line.startswith('{"request_id"')]
        print("---- gunicorn log ----\n" + "\n".join(lines[-80:]))


@pytest.fixture(scope="module")
def shared_portal(prepared_instance, tmp_path_factory):
    """One fresh portal for the tests of a module that do not change each other's data."""
    server = _portal_from(prepared_instance, tmp_path_factory.mktemp("shared") / "instance")
    yield server
    server.stop()


def pytest_terminal_summary(terminalreporter):
    """Which pages were scanned (axe-core, lang, and on a phone the layout checks)."""
    if not SCANNED:
        return
    routes = sorted({re.sub(r"/[\w.-]{24,}", "/<token>", re.sub(r"/\d+", "/<id>", path))
                     for _step, path in SCANNED})
    terminalreporter.section("pages checked in the browser")
    terminalreporter.write_line(f"{len(SCANNED)} page views checked, {len(routes)} routes:")
    for route in routes:
        terminalreporter.write_line(f"  {route}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


@pytest.fixture
def browser_log():
    return BrowserLog()


@pytest.fixture
def new_context(browser, browser_log):
    """`new_context(locale, viewport)`: a browser context (one person's browser) whose requests
    and console go to `browser_log`; closed after the test."""
    contexts = []

    def make(locale, viewport, **options):
        # Reduced motion: Bootstrap then opens the menu without an animation to wait for.
        context = browser.new_context(locale=locale, viewport=viewport, accept_downloads=True,
                                      reduced_motion="reduce", **options)
        context.set_default_timeout(15000)
        browser_log.watch(context)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshot_folder():
    """Where the guides' screenshots go when E2E_SCREENSHOTS is set (relative to the repo)."""
    folder = os.environ.get("E2E_SCREENSHOTS")
    if not folder:
        return None
    path = Path(folder) if Path(folder).is_absolute() else REPO / folder
    path.mkdir(parents=True, exist_ok=True)
    return path
