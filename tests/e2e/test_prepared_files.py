"""A large contest's export in the browser: the button opens a progress page, the job consumer
(a real `flask --app portal jobs`) builds the file, the page's script notices, and the file
downloads from the button that then appears; the exports page lists it."""
import os
import shutil
import signal
import subprocess

import pytest

from tests.e2e.checks import DESKTOP, logged_in_page
from tests.e2e.server import BIN, CONTEST_SLUG, ORGANIZER_EMAIL, ORGANIZER_PASSWORD, REPO, \
    PortalServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def queued_portal(prepared_instance, tmp_path):
    """A portal whose jobs go to the queue and a consumer, and where every contest is large."""
    folder = tmp_path / "instance"
    shutil.copytree(prepared_instance, folder)
    server = PortalServer(folder)
    server.env.pop("PORTAL_JOBS_IMMEDIATE")
    server.env["PORTAL_BACKGROUND_EXPORT_ROWS"] = "0"
    server.start()
    with open(folder / "consumer.log", "wb") as log:
        consumer = subprocess.Popen([str(BIN / "flask"), "--app", "portal", "jobs",
                                     "--workers", "1"], cwd=REPO, env=server.env,
                                    stdout=log, stderr=log, start_new_session=True)
    yield server
    os.killpg(consumer.pid, signal.SIGINT)
    try:
        consumer.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(consumer.pid, signal.SIGKILL)
        consumer.wait(timeout=5)
    server.stop()


def test_a_large_export_is_prepared_and_downloaded_when_ready(queued_portal, new_context,
                                                              tmp_path):
    page = logged_in_page(new_context("zh-CN", DESKTOP), queued_portal, ORGANIZER_EMAIL,
                          ORGANIZER_PASSWORD)
    page.goto(queued_portal.url(f"/admin/contests/{CONTEST_SLUG}/exports"))
    with page.expect_navigation():
        page.locator("main button[name=format][value=xlsx]").click()
    assert f"/admin/contests/{CONTEST_SLUG}/files/" in page.url
    # The script polls the progress and reloads the page once the consumer has built the file
    # (with the script on, the page's own refresh, for browsers without it, stays off).
    ready = page.locator("main a[href$='/download']")
    ready.wait_for(timeout=60000)
    assert page.locator("main progress").count() == 0
    with page.expect_download() as started:
        ready.click()
    file = started.value
    assert file.failure() is None and file.suggested_filename.endswith("-export.xlsx")
    file.save_as(tmp_path / "export.xlsx")
    assert (tmp_path / "export.xlsx").read_bytes().startswith(b"PK")
    page.goto(queued_portal.url(f"/admin/contests/{CONTEST_SLUG}/exports"))
    assert "为您生成的文件" in page.locator("main").inner_text()
    assert "可以下载" in page.locator("main").inner_text()
