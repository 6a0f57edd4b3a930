"""A real browser opens the index and the reports: every image loads, the Vietnamese
headings arrive intact, and at 1366 and 390 px (a phone) nothing overflows the viewport.
Needs Debian's chromium and chromium-driver (installed by .ci/run); skipped where they are
missing."""

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
    assert headings[0] == "Báo cáo sự hài lòng: Vĩnh Long"
    assert "2. Chỉ số hài lòng chung và theo yếu tố" in headings
    assert "6. So sánh với toàn bộ khảo sát" in headings


# Elements that stick out of the viewport, except inside a box that scrolls them (a table)
OVERFLOW = """
const width = document.documentElement.clientWidth;
const scrolls = (e) => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
const out = [];
for (const e of document.body.querySelectorAll('*')) {
  const r = e.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) continue;
  let p = e.parentElement, boxed = false;
  while (p && p !== document.body) {
    if (scrolls(p)) { boxed = true; break; }
    p = p.parentElement;
  }
  if (!boxed && (r.right > width + 1 || r.left < -1)) {
    out.push([e.tagName, e.className.toString().slice(0, 40), Math.round(r.left),
              Math.round(r.right)]);
  }
}
return [width, document.documentElement.scrollWidth, out.slice(0, 8)];
"""
PAGES = {
    "province": "province/vinh-long/province_report.html",
    "field": "field/dat-dai/field_report.html",
    "plan": "remediation-plan/ha-noi/remediation_plan.html",
    "index": "index.html",
    "papi": "papi/vinh-long/papi_report.html",
    "onestop": "onestop/toan-bo/onestop_report.html",
}


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("page", list(PAGES))
def test_no_element_overflows_the_viewport(browser, served, tmp_path_factory, page, width):
    """Desktop and phone: figures scale to the width, tables scroll inside their box, and
    nothing else sticks out (screenshots kept in the test's temporary folder)."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    try:
        browser.get(f"{served}/{quote(PAGES[page])}")
        _images(browser)
        viewport, scroll_width, sticking_out = browser.execute_script(OVERFLOW)
        shot = tmp_path_factory.mktemp("screens") / f"{page}-{width}.png"
        browser.save_screenshot(str(shot))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert viewport <= width and shot.stat().st_size > 0  # less a scroll bar
    assert sticking_out == [] and scroll_width <= viewport, (page, width, sticking_out)
