"""A real browser opens the index and a province report: every image loads and the
Vietnamese headings arrive intact. Needs Debian's chromium and chromium-driver (installed
by .ci/run); skipped where they are missing."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import quote

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(DRIVER).exists()),
        reason="chromium and chromedriver are not installed (apt: chromium chromium-driver)",
    ),
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def served(demo_reports):
    root = demo_reports.index.parent
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        f"--user-data-dir={tmp_path_factory.mktemp('chrome')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


IMAGES = """
return Array.from(document.images).map(i => [i.getAttribute('src').slice(0, 60),
  i.complete, i.naturalWidth]);
"""


def _images(browser) -> list:
    """Every image after loading it (lazy thumbnails are asked to load now)."""
    import time

    browser.execute_script("for (const i of document.images) { i.loading = 'eager'; }")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if browser.execute_script("return Array.from(document.images).every(i => i.complete);"):
            break
        time.sleep(0.2)
    return browser.execute_script(IMAGES)


def test_index_page_images_load_and_headings_are_vietnamese(browser, served):
    browser.get(f"{served}/index.html")
    images = _images(browser)
    assert len(images) >= 20
    broken = [src for src, complete, width in images if not complete or width == 0]
    assert broken == []
    text = browser.find_element("tag name", "body").text
    assert "Vĩnh Long" in text and "Đắk Lắk" in text and "Lĩnh vực: Đất đai" in text


def test_province_report_images_load_and_headings_are_intact(browser, served):
    browser.get(f"{served}/{quote('province/vinh-long/province_report.html')}")
    images = _images(browser)
    assert len(images) >= 6
    assert all(width > 0 for _, _, width in images), images
    headings = [h.text for h in browser.find_elements("css selector", "h1, h2")]
    assert "2. Chỉ số hài lòng chung và theo yếu tố / Overall and element indices" in headings
    assert "6. So sánh với toàn bộ khảo sát / Against the whole survey" in headings
