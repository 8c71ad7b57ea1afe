"""End-to-end: the "Đánh giá" tab in Debian's headless chromium (Playwright, no browser download).

Runs the bundled dev.jsonl with the extractive back-end through the real app (real index, default
embedder, temp CCHC_HOME), checks the accuracy with its 95% interval, the plot and the download.
"""
from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path

import pytest

from tests.fakes import free_port

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
TIMEOUT = 240_000

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent: "
                                 "apt-get install -y chromium to run the UI end-to-end tests")]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from assistant.api import open_assistant
    from cchc.ui import launch

    home = tmp_path_factory.mktemp("ui_eval_home")
    asst = open_assistant(home, llm="extractive")
    port = free_port()
    demo = launch(asst, host="127.0.0.1", port=port, block=False)
    yield f"http://127.0.0.1:{port}/", home
    demo.close()


def test_eval_tab_runs_dev_set_and_offers_report(app, tmp_path):
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    url, home = app
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.set_default_timeout(TIMEOUT)
        page.goto(url)
        page.get_by_role("tab", name="Đánh giá").click()
        page.wait_for_selector("#cchc-eval-run")
        assert "dev.jsonl" in page.locator("#cchc-eval-set").inner_text() or \
            page.locator("#cchc-eval-set input").input_value() == "dev.jsonl"
        page.locator("#cchc-eval-run").click()
        page.wait_for_function("document.querySelector('#cchc-eval-summary').innerText.includes('95% CI')")
        summary = page.locator("#cchc-eval-summary").inner_text()
        page.wait_for_selector("#cchc-eval-plot img")
        with page.expect_download() as dl:
            page.locator("#cchc-eval-report a").first.click()
        saved = tmp_path / dl.value.suggested_filename
        dl.value.save_as(saved)
        page.screenshot(path=str(tmp_path / "eval_tab.png"), full_page=True)
        browser.close()
    # the accuracy shown is the one the run wrote, with its interval around it
    run = next((home / "eval-runs").glob("*-dev-extractive"))
    m = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    shown = re.search(r"accuracy\)\*?\*?:?\s*([\d.]+)% \[95% CI ([\d.]+)–([\d.]+)%\]", summary)
    assert shown, summary
    acc, lo, hi = (float(x) for x in shown.groups())
    assert acc == pytest.approx(100 * m["accuracy"], abs=0.05) and m["n"] == 34
    assert lo == pytest.approx(100 * m["accuracy_ci95"][0], abs=0.05) and lo <= acc <= hi
    with zipfile.ZipFile(saved) as z:
        names = set(z.namelist())
    assert {"report.md", "metrics.json", "accuracy_by_category.png", "recall_curve.png"} <= names
