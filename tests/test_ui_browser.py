"""A real headless Chromium (Debian's, driven by Playwright) against the running app."""

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import pytest
from gradio_client import Client

from rag.app.feedback import FeedbackLog
from rag.app.login import WRONG_LOGIN
from rag.app.staff import COLUMNS, INDEXED, PENDING
from rag.app.webui import EXAMPLES
from tests.fakes import HeldEmbedder
from tests.ui_server import start_app

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="module")
def browser():
    subprocess.run([str(ROOT / "scripts" / "install-browser")], check=True)  # idempotent
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def running_app(tmp_path_factory):
    app, url, feedback = start_app(tmp_path_factory.mktemp("ui-browser"))
    yield url, feedback
    app.close()


WIDTHS = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1280, "height": 900}}


def open_page(browser, url: str, viewport: dict):
    page = browser.new_page(viewport=viewport)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    page.goto(url, wait_until="load")
    page.wait_for_selector("#question textarea", state="attached")
    return page


@pytest.fixture
def page(browser, running_app):
    page = open_page(browser, running_app[0], WIDTHS["desk"])
    yield page
    page.close()


@pytest.fixture(params=list(WIDTHS))
def any_width_page(request, browser, running_app):
    page = open_page(browser, running_app[0], WIDTHS[request.param])
    page.width_name = request.param
    yield page
    page.close()


def ask(page, question: str, expect: str) -> str:
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()
    page.wait_for_function("([sel, text]) => document.querySelector(sel).innerText.includes(text)",
                           arg=["#chat", expect], timeout=300_000)  # the event, however busy CI is
    return page.locator("#chat").inner_text()


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def answers(page) -> list[str]:
    """The text of each answer bubble in the chat (not the folded clauses under it)."""
    return page.locator("#chat .message:not(.thought) > [data-testid='bot']").all_inner_texts()


def test_answer_card_with_its_clause_under_it_at_phone_and_desk_width(any_width_page, tmp_path):
    page = any_width_page
    assert not scrolls_sideways(page)
    assert page.get_by_text(EXAMPLES["居民"][0]).is_visible()
    box = page.locator("#question textarea")
    box.fill("五保老人的照料护理费按什么标准发？")
    box.press("Enter")
    chip = page.get_by_text("[1] 许政办〔2024〕3号 四、（四）1.")
    chip.wait_for(timeout=60_000)
    first_line = answers(page)[0].split("\n")[0]
    assert "1/10、1/6、1/3" in first_line
    bubble = page.locator("#chat .message:not(.thought) > [data-testid='bot']").first
    assert bubble.locator("strong").all_inner_texts() == ["1/10、1/6、1/3"]  # the figures asked for, one list in bold
    assert not page.get_by_text("严格落实定期探访制度").is_visible()  # the clause is folded until tapped
    chip.click()
    clause = page.get_by_text("严格落实定期探访制度")
    clause.wait_for(timeout=10_000)
    assert clause.is_visible()
    assert page.locator("#chat mark").first.inner_text().endswith("1/10、1/6、1/3。")
    # the examples fold away once the conversation starts (an update of its own: waited for, not assumed)
    page.get_by_text(EXAMPLES["居民"][0]).wait_for(state="hidden", timeout=60_000)
    assert not scrolls_sideways(page)
    page.evaluate("window.scrollTo(0, 0)")
    send = page.locator("#send").bounding_box()
    assert send["y"] >= 0 and send["y"] + send["height"] <= page.viewport_size["height"]  # in reach, unscrolled
    screenshot = tmp_path / "answer.png"
    clause.scroll_into_view_if_needed()
    # the card has finished opening
    page.wait_for_function("card => card.getAnimations({subtree: true}).length === 0",
                           arg=page.locator("#chat .thought").first.element_handle())
    page.screenshot(path=str(screenshot))
    if os.environ.get("UPDATE_SCREENSHOT"):
        shutil.copy(screenshot, ROOT / "docs" / f"screenshot-{page.width_name}.png")


def test_a_refusal_looks_different_and_folds_the_closest_clauses(page, running_app):
    ask(page, "“许昌惠企贷”能贷多少钱？", "未找到明确答案")
    assert answers(page)[-1].startswith("⚠️ 未找到明确答案")
    assert "现有文件中没有找到" in answers(page)[-1]
    # the closest clauses the refusal names, each folded under it by its 文号 and clause
    listed = Client(running_app[0], verbose=False).predict("“许昌惠企贷”能贷多少钱？", api_name="/ask")["answer"]
    closest = [line[2:].split("：", 1)[0] for line in listed.split("\n") if line.startswith("- ")]
    assert len(closest) == 3
    assert page.locator("#chat .thought .title").all_inner_texts() == [f"可能相关：{c}" for c in closest]


def test_bad_input_shows_a_message_and_never_runs_script(page):
    chat = ask(page, "", "问题不能为空")
    assert "（空白问题）" in chat
    ask(page, "<script>alert(1)</script><img src=x onerror=alert(2)>低保", "低保")
    assert page.dialogs == []
    assert page.locator("#chat script").count() == 0
    chat = ask(page, "补充说明" * 1250 + "特困人员的照料护理标准是多少？", "问题超过 500 字")
    assert page.locator("#question textarea").is_enabled()


def test_enter_sends_and_shift_enter_breaks_the_line(page):
    box = page.locator("#question textarea")
    box.fill("特困人员的照料护理标准")
    box.press("Shift+Enter")
    box.type("是多少？")
    assert box.input_value() == "特困人员的照料护理标准\n是多少？"
    box.press("Enter")
    page.wait_for_function("([sel, text]) => document.querySelector(sel).innerText.includes(text)",
                           arg=["#chat", "1/10"], timeout=60_000)
    assert box.input_value() == ""


def test_a_tapped_example_question_is_asked_at_once(page):
    """A suggestion is tapped to be asked: the person gets the answer without pressing 提问 too."""
    question = EXAMPLES["居民"][1]
    page.get_by_text(question, exact=True).first.click()
    page.wait_for_function("([sel, text]) => document.querySelector(sel).innerText.includes(text)",
                           arg=["#chat", "1/10、1/6、1/3"], timeout=300_000)
    assert page.locator("#chat .message [data-testid='user']").all_inner_texts() == [question]
    assert page.locator("#question textarea").input_value() == ""


@pytest.fixture(scope="module")
def whole_corpus_app(tmp_path_factory):
    app, url, _feedback = start_app(tmp_path_factory.mktemp("ui-library"), files=())
    yield url
    app.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_library_lists_every_document_and_finds_one_by_its_number(browser, whole_corpus_app, width):
    page = open_page(browser, whole_corpus_app, WIDTHS[width])
    page.get_by_role("tab", name="文件库").click()
    listing = page.locator("#library-list")
    listing.get_by_text("共 38 个文件").wait_for(timeout=10_000)
    kinds = [text.split(" · ")[0] for text in listing.locator(".meta").all_inner_texts()]
    assert kinds.count("政府公报") == 23 and kinds.count("报纸版面") == 15
    assert not scrolls_sideways(page)
    page.locator("#library-search textarea").fill("许政办〔2024〕3号")
    listing.get_by_text("共 1 个文件").wait_for(timeout=10_000)
    assert listing.locator(".meta").inner_text() == "政府公报 · 《许昌市人民政府公报》2024年第2期 · 2024年4月30日 · 现行有效 · 50 条"
    page.close()


def test_a_clause_link_opens_that_clause_with_its_document_tree(browser, whole_corpus_app):
    page = open_page(browser, whole_corpus_app + "?doc=许政办〔2024〕3号&clause=四、（四）1.", WIDTHS["phone"])
    document = page.locator("#library-doc")
    document.locator(".source-card").wait_for(timeout=10_000)
    assert document.locator("#library-doc-title").inner_text() == (
        "《许昌市人民政府办公室关于加强低收入人口动态监测全面构建分层分类社会救助体系的实施意见》（许政办〔2024〕3号）")
    assert "严格落实定期探访制度" in document.locator(".source-card .clause").inner_text()
    tree = document.locator(".tree li")
    assert tree.count() == 50
    care = tree.filter(has_text="1.特困人员照料护理")  # the clause open above: marked, not a link to this page
    assert (care.locator("a").count(), care.locator("[aria-current=true]").count()) == (0, 1)
    assert "责任单位：市民政局、市财政局" in care.inner_text()
    support = tree.filter(has_text="2.特困人员救助供养")
    assert support.locator("a").get_attribute("href") == "?" + urlencode({"doc": "许政办〔2024〕3号",
                                                                           "clause": "四、（一）2."})
    assert not scrolls_sideways(page)
    page.close()


def test_a_citation_chip_links_to_its_clause_in_the_library(page):
    ask(page, "特困人员的照料护理标准是多少？", "1/10")
    page.get_by_text("[1] 许政办〔2024〕3号 四、（四）1.").click()
    link = page.get_by_text("在文件库中打开此条")
    link.wait_for(timeout=10_000)
    assert link.get_attribute("href") == "?" + urlencode({"doc": "许政办〔2024〕3号", "clause": "四、（四）1."})


def test_feedback_is_recorded(page, running_app):
    ask(page, "特困人员的照料护理标准是多少？", "1/10")
    page.get_by_text("评价这条回答").click()
    page.get_by_label("意见（可选）").fill("很清楚")
    page.locator("#vote-up").click()
    page.get_by_text("感谢反馈，已记录。").wait_for(timeout=10_000)
    last = running_app[1].entries()[-1]
    assert (last["rating"], last["question"], last["comment"]) == ("up", "特困人员的照料护理标准是多少？", "很清楚")
    assert last["citations"][0].startswith("《许昌市人民政府办公室关于加强低收入人口动态监测")
    assert FeedbackLog(running_app[1].path).entries()[-1]["rating"] == "up"  # stored, not only in memory


def submit(page, question: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()


def test_a_full_queue_says_so_in_chinese(browser, tmp_path):
    embedder = HeldEmbedder()
    app, url, _feedback = start_app(tmp_path, embedder, concurrency=1, queue_size=1)
    pages = [open_page(browser, url, WIDTHS["phone"]) for _ in range(3)]
    try:
        submit(pages[0], "特困人员的照料护理标准是多少？")
        assert embedder.holding.wait(timeout=60)  # the one worker is busy
        submit(pages[1], "低保边缘家庭怎么认定？")
        pages[1].get_by_text("1/1").first.wait_for(timeout=30_000)  # waiting in the one queue place
        submit(pages[2], "临时救助怎么申请？")
        pages[2].get_by_text("现在提问的人较多，请稍候再试。").first.wait_for(timeout=30_000)
        assert "currently busy" not in pages[2].locator("body").inner_text()
    finally:
        embedder.release.set()
        for page in pages:
            page.close()
        app.close()


def test_a_question_sent_while_the_last_answer_is_still_coming_is_answered_after_it(browser, tmp_path):
    """Typed and sent before the answer before it has finished: kept in the box, and asked once that answer is
    done (Gradio's default for a click drops it while one is pending; CI's busy machine hit that)."""
    embedder = HeldEmbedder()
    app, url, _feedback = start_app(tmp_path, embedder)
    page = open_page(browser, url, WIDTHS["phone"])
    try:
        submit(page, "特困人员的照料护理标准是多少？")
        assert embedder.holding.wait(timeout=60)  # the first answer is being worked out
        # and the page has shown that it was sent (the box emptied): on a busy machine that update can arrive after
        # the server is already at work, and a question typed before it would be typed into a box about to clear
        page.wait_for_function("() => document.querySelector('#question textarea').value === ''", timeout=60_000)
        submit(page, "低保边缘家庭怎么认定？")
        assert page.locator("#question textarea").input_value() == "低保边缘家庭怎么认定？"
        embedder.release.set()
        page.wait_for_function("() => document.querySelector('#chat').innerText.includes('1.5倍')", timeout=300_000)
        chat = page.locator("#chat").inner_text()
        assert chat.index("1/10") < chat.index("低保边缘家庭怎么认定？") < chat.index("1.5倍")
    finally:
        embedder.release.set()
        page.close()
        app.close()


STAFF = ("staff", "s3cret")
ADMIN = ("admin", "adm1n")
DOCX = ROOT / "tests" / "data" / "formats" / "丽水市城市养犬管理规定(2020-08-14).docx"
# a vote logged by a server on UTC before this one started (the log of earlier versions, imported once)
EARLIER_VOTE = {"time": "2026-12-06T03:46:10+0000", "rating": "down", "question": "特困人员的照料护理费按什么标准发？",
                "answer": "按上年度城镇职工月平均工资的**1/10、1/6、1/3**确定。",
                "citations": ["《许昌市人民政府办公室关于加强低收入人口动态监测全面构建分层分类社会救助体系的实施意见》"
                              "（许政办〔2024〕3号）四、（四）1.，载《许昌市人民政府公报》2024年第2期 第72页"],
                "comment": "没说按哪一年的工资算，也没说去哪个窗口申请，希望写清楚"}


@pytest.fixture(scope="module")
def staff_app(tmp_path_factory):
    """RAG_STAFF_AUTH and RAG_ADMIN_AUTH: the chat open to anyone, the staff area at /staff behind its login."""
    root = tmp_path_factory.mktemp("ui-staff")
    (root / "feedback.jsonl").write_text(json.dumps(EARLIER_VOTE, ensure_ascii=False) + "\n", encoding="utf-8")
    app, url, feedback = start_app(root, staff=STAFF, admin=ADMIN)
    yield url, feedback
    app.close()


def staff_page(browser, url: str, viewport: dict = WIDTHS["desk"]):
    """The staff area after its login, in a browser set to English (Gradio's own words follow that otherwise)."""
    page = browser.new_page(viewport=viewport, locale="en-US")
    page.goto(url + "staff/", wait_until="load")
    page.get_by_label("用户名").fill(STAFF[0])
    page.get_by_label("密码").fill(STAFF[1])
    page.get_by_role("button", name="登录").click()
    page.locator("#feedback-list").wait_for(timeout=30_000)
    return page


def unlock(page) -> None:
    page.locator("#admin-user textarea, #admin-user input").first.fill(ADMIN[0])
    page.locator("#admin-password input").fill(ADMIN[1])
    page.locator("#admin-unlock").click()
    page.locator("#doc-upload").wait_for(timeout=30_000)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_citizen_reaches_the_chat_without_a_login_and_the_staff_page_asks_for_one(browser, staff_app, width):
    page = browser.new_page(viewport=WIDTHS[width], locale="en-US")
    page.goto(staff_app[0], wait_until="load")
    page.locator("#question textarea").wait_for(timeout=30_000)  # the chat, no login form before it
    assert page.get_by_label("用户名").count() == 0
    page.get_by_text("评价这条回答").click()
    assert [page.locator(f"#vote-{v}").inner_text() for v in ("up", "down")] == ["有用", "没用"]  # no emoji: no boxes
    apis = page.evaluate("""async () => [await (await fetch('gradio_api/info')).json(),
                                         (await fetch('staff/gradio_api/info')).status]""")
    assert (sorted(apis[0]["named_endpoints"]), apis[0]["unnamed_endpoints"], apis[1]) == (["/ask", "/respond"], {}, 401)
    page.goto(staff_app[0] + "staff/", wait_until="load")
    page.get_by_role("button", name="登录").wait_for(timeout=30_000)
    assert [page.get_by_label(label).count() for label in ("用户名", "密码")] == [1, 1]
    assert page.get_by_text("工作人员页：请输入工作人员账号和密码。").is_visible()
    for english in ("username", "password", "Login"):
        assert page.get_by_text(english, exact=True).count() == 0
    assert page.locator("#feedback-list").count() == 0 and "没说按哪一年" not in page.content()
    assert not scrolls_sideways(page)
    page.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_feedback_shows_local_time_and_plain_text_readable_at_every_width(browser, staff_app, width, tmp_path):
    page = staff_page(browser, staff_app[0], WIDTHS[width])
    earlier = page.locator("#feedback-list li").filter(has_text=EARLIER_VOTE["question"])
    assert earlier.locator(".meta").first.inner_text() == "2026-12-06 11:46 · 没用"  # 03:46 UTC is 11:46 in 许昌
    comment = earlier.locator(".comment")
    assert comment.inner_text() == EARLIER_VOTE["comment"]
    box = comment.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]  # on screen, wrapped
    earlier.get_by_text("回答与依据").click()
    assert earlier.locator(".answer").inner_text() == "按上年度城镇职工月平均工资的1/10、1/6、1/3确定。"
    assert "**" not in page.locator("#feedback-list").inner_text()
    assert not scrolls_sideways(page)
    unlock(page)
    upload = page.locator("#doc-upload")
    upload.get_by_text("将文件拖放到此处").wait_for(timeout=30_000)
    assert "点击上传" in upload.inner_text() and "Drop File Here" not in upload.inner_text()
    screenshot = tmp_path / "staff.png"
    page.screenshot(path=str(screenshot), full_page=True)
    if os.environ.get("UPDATE_SCREENSHOT"):
        shutil.copy(screenshot, ROOT / "docs" / f"screenshot-staff-{width}.png")
    page.close()


def test_the_feedback_view_shows_a_vote_just_given_in_the_public_chat(browser, staff_app):
    page = open_page(browser, staff_app[0], WIDTHS["desk"])  # a citizen, no login
    ask(page, "特困人员的照料护理标准是多少？", "1/10")
    page.get_by_text("评价这条回答").click()
    page.locator("#vote-up").click()  # someone else's 有用 first: the filter must leave it out
    page.get_by_text("感谢反馈，已记录。").wait_for(timeout=10_000)
    comment = page.get_by_label("意见（可选）")
    comment.fill("没说清楚按哪年的工资算")
    page.locator("#vote-down").click()
    page.wait_for_function("box => box.value === ''", arg=comment.element_handle())  # recorded: the box is cleared
    assert [e["rating"] for e in staff_app[1].entries()][-2:] == ["up", "down"]
    page.close()
    page = staff_page(browser, staff_app[0])
    page.locator("#only-down input").check()
    page.locator("#feedback").get_by_text("共 2 条").wait_for(timeout=10_000)  # the earlier 没用 and this one
    cards = page.locator("#feedback-list li")
    assert cards.first.locator(".comment").inner_text() == "没说清楚按哪年的工资算"  # newest first
    assert cards.first.get_by_text("问题：特困人员的照料护理标准是多少？").is_visible()
    assert [card.locator(".meta").first.inner_text().split(" · ")[1] for card in cards.all()] == ["没用", "没用"]
    with page.expect_download() as download:
        page.locator("#feedback-export").click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as exported:
        rows = list(csv.reader(exported))
    assert rows[0] == COLUMNS and len(rows) == 3
    assert rows[2] == ["2026-12-06 11:46", "没用", EARLIER_VOTE["question"], "按上年度城镇职工月平均工资的1/10、1/6、1/3确定。",
                       EARLIER_VOTE["citations"][0], EARLIER_VOTE["comment"]]
    page.close()


def test_the_staff_page_links_to_the_library_of_every_published_document(browser, staff_app):
    page = staff_page(browser, staff_app[0])
    with page.expect_popup() as popup:  # a tab of its own: the staff page stays as it was
        page.get_by_role("link", name="文件库（全部文件）").click()
    library = popup.value
    library.locator("#library-list").wait_for(timeout=30_000)
    library.wait_for_function("() => document.querySelector('#library-list').innerText.includes('许政办〔2024〕3号')",
                              timeout=30_000)
    assert library.url == staff_app[0] + "?library=1"
    library.close()
    page.close()


def test_a_wrong_admin_password_is_refused_in_the_login_forms_words(browser, staff_app):
    page = staff_page(browser, staff_app[0])
    page.locator("#admin-user textarea, #admin-user input").first.fill(ADMIN[0])
    page.locator("#admin-password input").fill(ADMIN[1] + "x")
    page.locator("#admin-unlock").click()
    page.get_by_text(WRONG_LOGIN, exact=True).wait_for(timeout=30_000)  # the same words as the page's login form
    assert page.locator("#doc-upload").is_hidden()
    page.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_markdown_upload_is_previewed_with_its_title_without_heading_marks(browser, staff_app, width, tmp_path):
    markdown = tmp_path / "供暖补贴.md"
    markdown.write_text("# 许昌市供暖补贴办法\n\n## 一、补贴标准\n\n供暖补贴每户每年500元。\n", encoding="utf-8")
    page = staff_page(browser, staff_app[0], WIDTHS[width])
    unlock(page)
    page.locator("#doc-upload input[type=file]").set_input_files(str(markdown))
    page.locator("#doc-preview-button").click()
    preview = page.locator("#doc-preview textarea")
    page.wait_for_function("el => el.value.includes('条款')", arg=preview.element_handle(), timeout=30_000)
    assert preview.input_value().splitlines()[:2] == ["供暖补贴.md：政策文件，1 个文件，1 个条款", "  《许昌市供暖补贴办法》"]
    page.close()


def test_an_uploaded_docx_is_previewed_then_published_and_answers(browser, staff_app):
    page = staff_page(browser, staff_app[0])
    unlock(page)
    page.locator("#doc-upload input[type=file]").set_input_files(str(DOCX))
    page.locator("#doc-preview-button").click()
    preview = page.locator("#doc-preview textarea")
    page.wait_for_function("el => el.value.includes('条款')", arg=preview.element_handle(), timeout=30_000)
    assert preview.input_value().splitlines()[1].strip().startswith("《丽水市城市养犬管理规定》")
    page.locator("#doc-publish").click()
    result = page.locator("#doc-result textarea")
    page.wait_for_function("el => el.value.startsWith('已发布')", arg=result.element_handle(), timeout=60_000)
    # under 发布 the publication goes on until its vectors are in: keyword search at once, then how it ended
    summary = result.input_value().partition(PENDING)[0]
    assert summary == ("已发布 regulation/丽水市城市养犬管理规定-2020-08-14.docx：法规规章，1 个文件，39 个条款\n"
                       "  《丽水市城市养犬管理规定》 日期 2020-08-14，施行 2020-11-01\n")
    page.wait_for_function(f"el => el.value.includes('{INDEXED}')", arg=result.element_handle(), timeout=600_000)
    assert result.input_value().startswith(summary + INDEXED)
    answer = Client(staff_app[0], verbose=False).predict("丽水市养犬需要办理登记吗？", api_name="/ask")
    assert answer["citations"][0]["doc_title"] == "丽水市城市养犬管理规定"
    # removal shows what it would take out and waits for 确认删除, which appears only then
    assert page.locator("#doc-remove-confirm").is_hidden()
    published = result.input_value()
    assert published.startswith("已发布")
    page.locator("#doc-remove-reference textarea").fill("丽水市城市养犬管理规定")
    page.locator("#doc-remove").click()
    # the removal's words under 删除, the publication's result stays under 发布
    result = page.locator("#doc-remove-result textarea")
    page.wait_for_function("el => el.value.startsWith('将从语料中删除：')", arg=result.element_handle(), timeout=30_000)
    assert page.locator("#doc-result textarea").input_value() == published
    assert box(page, "#doc-publish")["y"] < box(page, "#doc-result")["y"] < box(page, "#doc-remove")["y"] < box(
        page, "#doc-remove-result")["y"]
    assert "（含 1 个文件）" in result.input_value()
    # another name typed withdraws what was shown: 确认删除 goes until 「删除」 shows the new one
    page.locator("#doc-remove-reference textarea").fill("许政办〔2024〕3号")
    page.locator("#doc-remove-confirm").wait_for(state="hidden")
    page.wait_for_function("el => el.value === ''", arg=result.element_handle(), timeout=30_000)  # and its words
    page.locator("#doc-remove-reference textarea").fill("丽水市城市养犬管理规定")
    page.locator("#doc-remove").click()
    page.locator("#doc-remove-confirm").wait_for(state="visible")
    page.locator("#doc-remove-confirm").click()
    page.wait_for_function("el => el.value.startsWith('已删除')", arg=result.element_handle(), timeout=60_000)
    page.locator("#doc-remove-confirm").wait_for(state="hidden")
    answer = Client(staff_app[0], verbose=False).predict("丽水市养犬需要办理登记吗？", api_name="/ask")
    assert all(c["doc_title"] != "丽水市城市养犬管理规定" for c in answer["citations"])
    page.close()


def test_the_screen_reader_status_line_speaks_chinese(page):
    """Gradio's status line announces a finished answer with a key its Chinese strings lack (common.complete)."""
    page.evaluate("""() => { window.announced = [];
        new MutationObserver(() => document.querySelectorAll('[role=status]').forEach(n => {
            const said = n.textContent.trim(); if (said) window.announced.push(said); }))
          .observe(document.body, {childList: true, subtree: true, characterData: true}); }""")
    ask(page, "特困人员的照料护理标准是多少？", "1/10")
    page.wait_for_function("() => window.announced.includes('已完成')", timeout=60_000)
    assert not [said for said in page.evaluate("window.announced") if "common." in said]
