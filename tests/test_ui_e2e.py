"""End-to-end: the Gradio chat in Debian's headless chromium via Playwright (no browser download).

Starts the app in-process on a free 127.0.0.1 port (extractive back-end, default e5 embedder, temp
CCHC_HOME), asks the example questions, opens the full text, uploads a DOCX and a hostile TXT.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
TIMEOUT = 60_000

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent: "
                                 "apt-get install -y chromium to run the UI end-to-end tests")]


from tests.fakes import free_port as _free_port  # noqa: E402


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    from assistant.api import open_assistant
    from cchc.ui import launch

    home = tmp_path_factory.mktemp("ui_home")
    asst = open_assistant(home, llm="extractive", embedder="e5")  # the real default embedder
    port = _free_port()
    demo = launch(asst, host="127.0.0.1", port=port, block=False)
    yield f"http://127.0.0.1:{port}/", home
    demo.close()


@pytest.fixture(scope="module")
def page(app_url):
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 1100})
        pg.set_default_timeout(TIMEOUT)
        pg.goto(app_url[0])
        pg.wait_for_selector("#cchc-chat")
        yield pg
        browser.close()


def _ask(page, question: str) -> None:
    n = page.locator(".cchc-answer").count()
    page.locator("#cchc-q textarea").fill(question)
    page.locator("#cchc-q textarea").press("Enter")
    page.wait_for_function(f"document.querySelectorAll('.cchc-answer').length > {n}")
    page.wait_for_function("!document.querySelector('#cchc-chat').innerText.includes('▍')")


def _upload(page, path: Path) -> str:
    page.get_by_role("tab", name="Thư viện báo cáo").click()
    page.locator("#cchc-upload input[type=file]").set_input_files(str(path))
    page.wait_for_function(f"document.querySelector('#cchc-upload-status textarea').value.includes({path.name!r})")
    status = page.locator("#cchc-upload-status textarea").input_value()
    page.wait_for_function(f"document.querySelector('#cchc-library').innerText.includes({path.name!r})")
    page.get_by_role("tab", name="Hỏi đáp").click()
    return status


def test_example_question_shows_cards_and_fulltext(page, tmp_path):
    page.get_by_text("Quyết định nào ban hành kế hoạch CCHC năm 2020?").first.click()
    page.wait_for_selector(".cchc-card")
    cards = page.locator(".cchc-card").all_inner_texts()
    # reports whose 2020 CCHC plan answers the question (dev set item dx_01)
    gold = [d for d in ("000_2e45de5cd4b14c3f.txt", "002_66aa62caed93e12d.txt", "003_3292d6be82962f6a.txt")
            if any(d in c for c in cards)]
    assert gold, cards
    assert page.locator(".cchc-card mark").count() >= 1
    chip = page.locator("a.cchc-chip").first
    target = chip.get_attribute("href")
    assert target and page.locator(target).count() == 1
    shot = tmp_path / "chat_answer.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nscreenshot: {shot}")
    chip.click()  # scrolls to its card, no navigation
    assert page.locator(target).is_visible() and len(page.context.pages) == 1
    page.locator("#cchc-fulltext-btn").click()
    page.wait_for_selector("#cchc-fulltext mark#cchc-hit")
    assert "Toàn văn" in page.locator("#cchc-fulltext").inner_text()
    card = page.locator(".cchc-card").filter(has_text=gold[0]).first
    card.locator("button.cchc-open").click()  # the card's own "Xem toàn văn"
    page.wait_for_function(f"document.querySelector('#cchc-fulltext').innerText.includes('{gold[0]}')")
    hit = page.locator("#cchc-fulltext mark#cchc-hit")
    assert hit.inner_text().strip() in card.locator("mark").inner_text()
    page.wait_for_timeout(400)
    assert hit.is_visible()


def test_second_example_names_the_late_files_report(page):
    _ask(page, "Có bao nhiêu hồ sơ trễ hạn?")
    last = page.locator(".cchc-msg").last.inner_text()
    assert "trễ hạn" in last and "002_66aa62caed93e12d.txt" in last, last


def test_feedback_is_written(page, app_url):
    page.locator("#cchc-comment textarea").fill("rất hữu ích")
    page.locator("#cchc-up").click()
    page.wait_for_function("document.querySelector('#cchc-feedback').innerText.includes('Đã ghi nhận')")
    lines = (app_url[1] / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    assert '"vote": "up"' in lines[-1] and "rất hữu ích" in lines[-1]


def test_upload_docx_is_listed(page, tmp_path):
    from docx import Document

    doc = Document()
    doc.add_paragraph("BÁO CÁO Công tác cải cách hành chính năm 2022 của Sở Tư pháp tỉnh Lâm Đồng")
    for i in range(6):
        doc.add_paragraph(f"Trong năm 2022, Sở đã tiếp nhận {120 + i} hồ sơ thủ tục hành chính về lý lịch tư "
                          f"pháp, giải quyết đúng hạn toàn bộ hồ sơ, không có hồ sơ quá hạn ở đợt {i + 1}.")
    path = tmp_path / "bao_cao_lam_dong.docx"
    doc.save(str(path))
    status = _upload(page, path)
    assert "bao_cao_lam_dong.docx: ingested" in status, status


def test_hostile_report_is_rendered_as_text(page, tmp_path, app_url):
    body = ("BÁO CÁO Công tác cải cách hành chính năm 2021 tỉnh Gia Lai\n"
            f"Tiêu đề độc hại {EVIL} được chèn vào báo cáo.\n"
            + "\n".join(f"Sở đã số hóa {300 + i} hồ sơ phi hành gia {EVIL} trong đợt kiểm tra thứ {i + 1}."
                        for i in range(6)))
    path = tmp_path / "doc_hai.txt"
    path.write_text(body, encoding="utf-8")
    assert "doc_hai.txt: ingested" in _upload(page, path)
    stored = list((app_url[1] / "uploads").iterdir())
    assert stored and all(p.name != "doc_hai.txt" and len(p.stem) == 32 for p in stored)
    _ask(page, "Sở đã số hóa bao nhiêu hồ sơ phi hành gia ở Gia Lai?")
    assert "doc_hai.txt" in page.locator(".cchc-msg").last.inner_text()
    assert "<script>" in page.locator(".cchc-msg").last.inner_text()
    page.locator(".cchc-card").filter(has_text="doc_hai.txt").last.locator("button.cchc-open").click()
    page.wait_for_function("document.querySelector('#cchc-fulltext').innerText.includes('doc_hai.txt')")
    assert "onerror" in page.locator("#cchc-fulltext").inner_text()
    page.wait_for_timeout(500)
    assert page.evaluate("typeof window.__pwned") == "undefined"
