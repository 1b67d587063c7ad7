"""Where the page puts people, in a real headless Chromium at a phone's and a desk's width: a link lands on its
clause, a question asked shows the start of its answer, the library finds what the chat finds and shows a
status only where one applies, and two versions of a regulation are compared article by article."""

import os
import shutil
from urllib.parse import urlencode

import pytest

from rag.app.webui import EXAMPLES
from tests import test_ui_browser
from tests.test_ui_browser import ROOT, WIDTHS, answers, box, open_page, scrolls_sideways
from tests.ui_server import start_app

ROADS = tuple(ROOT / "tests" / "data" / "regulations" / f"道路运输条例({date}).md" for date in ("2022-03-29", "2023-07-20"))
ROAD = "中华人民共和国道路运输条例"
browser = test_ui_browser.browser  # the one headless Chromium fixture
CARE_LINK = "?" + urlencode({"doc": "许政办〔2024〕3号", "clause": "四、（四）1."})
CARE_TITLE = "《许昌市人民政府办公室关于加强低收入人口动态监测全面构建分层分类社会救助体系的实施意见》（许政办〔2024〕3号）"
IN_VIEW = """el => { const r = el.getBoundingClientRect();
                     return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }"""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The whole bundled corpus and two versions of 道路运输条例, added as staff add them."""
    app, url, _feedback = start_app(tmp_path_factory.mktemp("ui-landing"), files=(), added=ROADS)
    yield url
    app.close()


@pytest.fixture(params=list(WIDTHS))
def width(request):
    return request.param


def keep_screenshot(page, tmp_path, name: str) -> None:
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot))
    if os.environ.get("UPDATE_SCREENSHOT"):
        shutil.copy(shot, ROOT / "docs" / f"screenshot-{name}.png")


def test_before_the_first_question_the_example_questions_are_on_the_first_screen(browser, app_url, width):
    """The empty chat takes little room: a person who does not know what to ask sees examples without scrolling."""
    page = open_page(browser, app_url, WIDTHS[width])
    first_example = page.get_by_text(EXAMPLES["居民"][0], exact=True).first
    first_example.wait_for(timeout=20_000)
    page.wait_for_function(IN_VIEW, arg=first_example.element_handle(), timeout=10_000)
    page.close()


def test_a_clause_link_lands_on_the_clause_under_its_title_and_status(browser, app_url, width, tmp_path):
    page = open_page(browser, app_url + CARE_LINK, WIDTHS[width])
    clause = page.locator("#opened-clause")
    clause.wait_for(timeout=20_000)
    page.wait_for_function(IN_VIEW, arg=clause.element_handle(), timeout=10_000)  # the whole clause on screen
    assert "严格落实定期探访制度" in clause.inner_text()
    view = page.locator("#library-doc .doc-view")
    assert view.locator("#library-doc-title").inner_text() == CARE_TITLE
    assert view.locator(":scope > .meta").first.inner_text() == (
        "政府公报 · 《许昌市人民政府公报》2024年第2期 · 2024年4月30日 · 现行有效 · 50 条")
    title, back = box(page, "#library-doc-title"), box(page, "#library-doc .back")
    assert 0 <= back["y"] < title["y"] < title["y"] + title["height"] <= box(page, "#opened-clause")["y"]
    assert view.locator(".tree li.current").inner_text().startswith("1.特困人员照料护理")
    assert page.locator("#library-list").inner_text() == ""  # the document alone, not under the list of 40
    assert not scrolls_sideways(page)
    if width == "phone":
        keep_screenshot(page, tmp_path, "clause-link")
    page.get_by_text("← 返回文件列表").click()
    page.locator("#library-list").get_by_text("共 40 个文件").wait_for(timeout=20_000)
    page.close()


def test_a_title_in_the_library_opens_its_document_at_the_top(browser, app_url, width):
    page = open_page(browser, app_url + "?library=1", WIDTHS[width])
    page.locator("#library-search textarea").fill("许政办〔2024〕3号")
    page.locator("#library-list").get_by_text("共 1 个文件").wait_for(timeout=10_000)
    page.locator("#library-list a").click()
    title = page.locator("#library-doc-title")
    title.wait_for(timeout=20_000)
    page.wait_for_function(IN_VIEW, arg=title.element_handle(), timeout=10_000)
    assert title.inner_text() == CARE_TITLE
    assert page.url.endswith("?" + urlencode({"doc": "许政办〔2024〕3号"}))
    page.close()


def test_a_citation_opens_its_clause_in_the_library_in_a_new_tab(browser, app_url):
    page = open_page(browser, app_url, WIDTHS["phone"])
    page.locator("#question textarea").fill("五保老人的照料护理费按什么标准发？")
    page.locator("#send").click()
    page.get_by_text("[1] 许政办〔2024〕3号 四、（四）1.").click(timeout=60_000)
    with page.context.expect_page() as opened:
        page.get_by_text("在文件库中打开此条").click()
    library = opened.value
    clause = library.locator("#opened-clause")
    clause.wait_for(timeout=20_000)
    library.wait_for_function(IN_VIEW, arg=clause.element_handle(), timeout=10_000)
    assert library.locator("#library-doc-title").inner_text() == CARE_TITLE
    library.close()
    page.close()


@pytest.mark.parametrize("search", ["许政办[2024]3号", "許政辦"])
def test_the_library_search_reads_numbers_and_traditional_characters_as_the_chat(browser, app_url, width, search):
    page = open_page(browser, app_url + "?library=1", WIDTHS[width])
    page.locator("#library-search textarea").fill(search)
    listing = page.locator("#library-list")
    expected = ["许政办〔2024〕3号"] if "3" in search else ["许政办〔2024〕5号", "许政办〔2024〕4号", "许政办〔2024〕3号"]
    listing.get_by_text(f"共 {len(expected)} 个文件").wait_for(timeout=10_000)
    numbers = [text.split("\n")[0].rsplit("（", 1)[1].rstrip("）") for text in listing.locator("li").all_inner_texts()]
    assert numbers == expected
    page.close()


def test_an_ended_plan_is_expired_and_a_newspaper_article_has_no_status(browser, app_url, width):
    page = open_page(browser, app_url + "?library=1", WIDTHS[width])
    listing = page.locator("#library-list")
    listing.get_by_text("共 40 个文件").wait_for(timeout=20_000)
    plan = listing.locator("li").filter(has_text="许政〔2020〕14号")
    assert plan.locator(".meta").inner_text() == "政府公报 · 《许昌市人民政府公报》2020年第2期 · 2020年4月24日 · 已到期 · 41 条"
    news = listing.locator("li").filter(has_text="强力推动产业升级")
    assert news.locator(".meta").inner_text() == "报纸版面 · 《许昌日报》2022年9月27日 第04版 · 1 条"
    statuses = ("现行有效", "已修订", "已废止", "尚未施行", "已到期")
    metas = listing.locator("li .meta").all_inner_texts()
    news_metas = [m for m in metas if m.startswith("报纸版面")]
    assert len(news_metas) == 15 and not any(s in m for m in news_metas for s in statuses)
    assert sum("已到期" in m for m in metas) == 3  # the three plans titled （2020—2022年）
    page.close()


def test_after_asking_on_a_phone_the_question_and_the_answer_s_first_line_are_on_screen(browser, app_url, tmp_path):
    page = open_page(browser, app_url, WIDTHS["phone"])
    for asked_before, question in enumerate(("特困人员的照料护理标准是多少？", "五保老人的照料护理费按什么标准发？")):
        page.locator("#question textarea").fill(question)
        page.locator("#send").click()
        page.wait_for_function("n => [...document.querySelectorAll('#chat .thought .title')].filter("
                               "t => t.innerText === '[1] 许政办〔2024〕3号 四、（四）1.').length > n",
                               arg=asked_before, timeout=60_000)  # this answer's citation is there: it is complete
        asked = page.locator("#chat [data-testid='user']").last
        assert asked.inner_text() == question
        first_line = page.evaluate("""() => {
            const bubble = [...document.querySelectorAll("#chat .message:not(.thought) > [data-testid='bot']")].pop();
            const walker = document.createTreeWalker(bubble, NodeFilter.SHOW_TEXT,
                                                     {acceptNode: n => n.nodeValue.trim() ? 1 : 3});
            const range = document.createRange();
            const text = walker.nextNode();
            range.setStart(text, 0);
            range.setEnd(text, 1);
            const r = range.getBoundingClientRect();
            return {top: r.top, bottom: r.bottom, first: text.nodeValue.trim()};
        }""")
        chat = box(page, "#chat")
        question_box = asked.bounding_box()
        assert 0 <= chat["y"] <= question_box["y"] < first_line["top"] < first_line["bottom"] <= min(
            chat["y"] + chat["height"], WIDTHS["phone"]["height"])
        assert answers(page)[-1].startswith("照料护理标准依据特困人员生活自理能力")
    # citations are one-line chips: no 依据 lines of five lines each in the answer
    assert "依据：" not in answers(page)[-1] and "载《许昌市人民政府公报》" not in answers(page)[-1]
    chips = page.locator("#chat .thought .title")
    line = float(chips.first.evaluate("title => getComputedStyle(title).lineHeight").removesuffix("px"))
    assert chips.count() == 6 and all(c.bounding_box()["height"] < 3 * line for c in chips.all())  # two lines at most
    keep_screenshot(page, tmp_path, "phone-chat")
    page.close()


CHANGED = ["第六十三条（改动）", "第六十五条（改动）", "第六十八条（删除）", "第六十八条（原第六十九条，改动）",
           "第七十条（原第七十一条，改动）", "第七十四条（原第七十五条，改动）"]


def test_two_versions_of_a_regulation_are_compared_article_by_article(browser, app_url, width, tmp_path):
    link = "?" + urlencode({"doc": ROAD, "compare": "20220329", "version": "20230720", "clause": "第六十八条"})
    page = open_page(browser, app_url + link, WIDTHS[width])
    focused = page.locator("#opened-clause")
    focused.wait_for(timeout=20_000)
    view = page.locator("#library-doc .doc-view")
    assert view.locator(":scope > .meta").first.inner_text() == (
        "2022年3月29日版 → 2023年7月20日版：改动 5 条 · 删除 1 条 · 仅条号变化 12 条 · 未改动 65 条")
    assert view.locator(".changes .crumb").all_inner_texts() == CHANGED
    assert focused.locator(".crumb").inner_text() == "第六十八条（原第六十九条，改动）"
    page.wait_for_function(IN_VIEW, arg=focused.element_handle(), timeout=10_000)
    assert focused.locator("del").all_inner_texts()[:2] == ["经营者、货运", "3000"]
    assert "2000" in focused.locator("ins").all_inner_texts()
    removed = view.locator(".changes li.removed")
    assert removed.locator("del").inner_text().startswith("违反本条例的规定，客运经营者、货运经营者不按照规定携带车辆营运证的")
    assert not scrolls_sideways(page)
    if width == "phone":  # its top: the versions compared, how many articles changed, the first changes
        view.evaluate("view => view.scrollIntoView({block: 'start'})")
        keep_screenshot(page, tmp_path, "version-comparison")
    page.close()


def test_a_version_note_in_an_answer_links_to_the_comparison(browser, app_url):
    page = open_page(browser, app_url, WIDTHS["desk"])
    page.locator("#question textarea").fill("道路运输条例第六十三条规定了什么？")
    page.locator("#send").click()
    note = page.locator("#chat a", has_text="查看两版对比")
    note.wait_for(timeout=60_000)
    assert "第六十三条在2023年7月20日修订时有改动" in answers(page)[-1]
    assert note.get_attribute("href") == "?" + urlencode(
        {"doc": ROAD, "compare": "20220329", "version": "20230720", "clause": "第六十三条"})
    with page.context.expect_page() as opened:
        note.click()
    comparison = opened.value
    focused = comparison.locator("#opened-clause")
    focused.wait_for(timeout=20_000)
    assert focused.locator(".crumb").inner_text() == "第六十三条（改动）"
    assert "有下列情形之一" in focused.locator("ins").all_inner_texts()
    comparison.close()
    page.close()


def test_a_regulation_in_the_library_links_to_what_changed_from_its_previous_version(browser, app_url):
    page = open_page(browser, app_url + "?" + urlencode({"doc": ROAD}), WIDTHS["phone"])
    page.get_by_text("与上一版（2022年3月29日）比较").click(timeout=20_000)
    page.locator("#library-doc .changes").wait_for(timeout=20_000)
    assert page.locator("#library-doc .changes .crumb").all_inner_texts() == CHANGED
    page.close()
