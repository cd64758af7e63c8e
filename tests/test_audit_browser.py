"""The audit page of the reference platform's before/ opened in a real headless Chromium
(Debian's chromium and chromium-driver, through WebDriver): one node per module, red edges
exactly for the violating pairs, an edge's imports listed on click, sortable tables, no
console errors, nothing fetched from anywhere, and a page that prints. The screenshot is
kept (``ARCHGUARD_SCREENSHOT=path`` keeps a copy there too)."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from . import seed_facts
from .conftest import BEFORE, REPO, RULES

pytestmark = pytest.mark.platform

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("the browser test needs Debian's chromium and chromium-driver "
                    "(apt-get install chromium chromium-driver; .ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    folder = tmp_path_factory.mktemp("audit-page")
    report = folder / "audit.html"
    done = subprocess.run([sys.executable, "-m", "archguard", "audit", str(BEFORE), "--config",
                           str(RULES), "--no-cache", "--format", "html", "--output",
                           str(report)], capture_output=True, text=True, cwd=REPO,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                 f"--user-data-dir={folder / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get(report.as_uri())
        yield driver, folder
    finally:
        driver.quit()


def test_the_graph_has_one_node_per_module_and_red_edges_for_the_violating_pairs(page):
    from selenium.webdriver.common.by import By

    driver, _ = page
    nodes = driver.find_elements(By.CSS_SELECTOR, "svg g.node")
    assert sorted(n.get_attribute("data-module") for n in nodes) == \
        sorted(seed_facts.CATEGORIES)
    red = driver.find_elements(By.CSS_SELECTOR, "svg g.edge.violating")
    pairs = sorted((e.get_attribute("data-source"), e.get_attribute("data-target")) for e in red)
    assert pairs == seed_facts.CORE_OPTIONAL_PAIRS
    stroke = driver.execute_script(
        "return getComputedStyle(arguments[0].querySelector('path:not(.hit)')).stroke", red[0])
    grey = driver.find_element(By.CSS_SELECTOR, "svg g.edge:not(.violating) path:not(.hit)")
    assert stroke != driver.execute_script("return getComputedStyle(arguments[0]).stroke", grey)
    core = [n.rect["y"] for n in nodes if n.get_attribute("data-category") == "core"]
    optional = [n.rect["y"] for n in nodes if n.get_attribute("data-category") == "optional"]
    assert min(core) > max(optional)  # core at the bottom


def test_clicking_an_edge_lists_its_imports_with_file_and_line(page):
    from selenium.webdriver.common.by import By

    driver, _ = page
    edge = driver.find_element(
        By.CSS_SELECTOR, 'svg g.edge[data-source="tenancy"][data-target="marketplace"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", edge)
    edge.find_element(By.CSS_SELECTOR, "text.edge-label").click()  # the red count
    panel = driver.find_element(By.ID, "edge-details")
    assert panel.is_displayed()
    text = panel.text
    assert "tenancy → marketplace" in text
    assert "app/modules/tenancy/models/__init__.py:22" in text
    assert "breaks core-not-optional" in text


def test_a_table_sorts_when_its_header_is_clicked(page):
    from selenium.webdriver.common.by import By

    driver, _ = page
    table = driver.find_element(By.CSS_SELECTOR, "#modules table")
    header = table.find_elements(By.CSS_SELECTOR, "thead th button")[0]
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", header)
    first = [r.text.split()[0] for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
    header.click()
    header.click()  # ascending, then descending
    after = [r.text.split()[0] for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert after == sorted(first, reverse=True) and after != first


def test_no_console_errors_and_nothing_fetched(page):
    driver, _ = page
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    fetched = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert fetched == []


def test_the_page_prints_and_the_screenshot_is_kept(page):
    driver, folder = page
    pdf = base64.b64decode(driver.execute_cdp_cmd("Page.printToPDF", {})["data"])
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 3
    driver.execute_script("window.scrollTo(0, 0)")
    height = driver.execute_script("return document.getElementById('works').offsetTop")
    driver.set_window_size(1400, min(int(height) + 40, 2600))
    shot = folder / "audit.png"
    assert driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 50_000
    keep = os.environ.get("ARCHGUARD_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)
