"""How the chat bubble marks an answer's figures (the page's own text, not the answer's)."""

import pytest

from rag.app.webui import _as_asked, figures_in_bold

CARE = ("照料护理标准依据特困人员生活自理能力和服务需求分档制定，分为全自理标准、半自理标准和全护理标准三档，"
        "分别为不低于当地上年度最低工资标准{}、{}、{}。 [1]\n责任单位：市民政局、市财政局。")


def test_figures_of_an_unmarked_first_line_are_bolded_and_nothing_else():
    # figures listed after one (1/10、1/6、1/3 for 全自理、半自理、全护理) are one fact, in one bold run
    assert figures_in_bold(CARE.format("1/10", "1/6", "1/3")) == CARE.format("**1/10", "1/6", "1/3**")


@pytest.mark.parametrize("text", [
    "重点抓好拖欠企业账款清理，无分歧欠款**6月**底前应清尽清； [1]\n另见补贴3000元",  # the asked fact is marked
    "1. 甲事项补贴每户500元 [1]\n2. 乙事项补贴每户800元 [2]",  # one part of several: all or none
    "符合条件的家庭可以申请住房救助。 [1]",  # no figure at all
])
def test_a_marked_numbered_or_figureless_answer_is_left_as_it_is(text):
    assert figures_in_bold(text) == text


def test_html_and_markdown_links_from_a_document_are_shown_as_text():
    from rag.app.webui import as_text

    assert as_text("可登录[许昌市政务服务网](http://evil)<img src=x>办理，时限为**5个工作日**。 [1]\n"
                   "[1] 《通知》 ![图](http://evil/a.png) [[x](y)](z) [2](http://evil)\n[网]: http://evil") == (
        "可登录\\[许昌市政务服务网\\](http://evil)&lt;img src=x>办理，时限为<strong>5个工作日</strong>。 [1]\n"
        "[1] 《通知》 !\\[图\\](http://evil/a.png) \\[\\[x\\](y)\\](z) \\[2\\](http://evil)\n\\[网\\]: http://evil")


def test_the_answer_bubble_quotes_a_document_s_tags_and_links_as_text(tmp_path):
    from rag.app.pipeline import Pipeline
    from rag.app.webui import answer_messages
    from tests.fakes import HashingEmbedder
    from tests.helpers import make_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "网上办事.txt").write_text(
        "许昌市人民政府关于网上办事的通知\n许政〔2025〕5号\n一、办理渠道\n"
        "群众可登录[许昌市政务服务网](http://evil)<img src=x>办理居住证，办理时限为5个工作日。\n"
        "许昌市人民政府\n2025年1月2日\n", encoding="utf-8")
    pipeline = Pipeline(make_settings(tmp_path, corpus), embedder=HashingEmbedder())
    pipeline.ingest()
    answer = pipeline.answerer.run("居住证办理时限是几个工作日？")
    assert answer.answer.startswith("群众可登录[许昌市政务服务网](http://evil)<img src=x>办理居住证")  # as the document has it
    # the only tags are the answer's own bold and its folded 依据: the document's are text
    text, basis = answer_messages(answer)[0]["content"].split("\n\n<details class='basis'>")
    assert text.split("  \n")[0] == (
        "群众可登录\\[许昌市政务服务网\\](http://evil)&lt;img src=x>办理居住证，办理时限为<strong>5个工作日</strong>。 [1]")
    assert text.replace("<strong>", "").replace("</strong>", "").count("<") == 0
    assert basis == "<summary>依据（完整出处）</summary>[1] 《许昌市人民政府关于网上办事的通知》（许政〔2025〕5号）一、</details>"


def test_a_long_paste_is_shown_by_its_start_and_its_end_so_the_answer_stays_near_the_top():
    """A 5,000-character paste was shown whole: the answer's first line sat 8,800 px down a phone's chat (persona)."""
    question = "家" * 4990 + "请问能办低保吗"
    assert _as_asked(question) == "家" * 100 + "……（共 4997 字，中间从略）……" + "家" * 93 + "请问能办低保吗"
    assert _as_asked("低保怎么申请？") == "低保怎么申请？"
    assert _as_asked("  ") == "（空白问题）"
