"""How the chat bubble marks an answer's figures (the page's own text, not the answer's)."""

import pytest

from rag.webui import figures_in_bold

CARE = ("照料护理标准依据特困人员生活自理能力和服务需求分档制定，分为全自理标准、半自理标准和全护理标准三档，"
        "分别为不低于当地上年度最低工资标准{}、{}、{}。 [1]\n责任单位：市民政局、市财政局。")


def test_figures_of_an_unmarked_first_line_are_bolded_and_nothing_else():
    assert figures_in_bold(CARE.format("1/10", "1/6", "1/3")) == CARE.format("**1/10**", "**1/6**", "**1/3**")


@pytest.mark.parametrize("text", [
    "重点抓好拖欠企业账款清理，无分歧欠款**6月**底前应清尽清； [1]\n另见补贴3000元",  # the asked fact is marked
    "1. 甲事项补贴每户500元 [1]\n2. 乙事项补贴每户800元 [2]",  # one part of several: all or none
    "符合条件的家庭可以申请住房救助。 [1]",  # no figure at all
])
def test_a_marked_numbered_or_figureless_answer_is_left_as_it_is(text):
    assert figures_in_bold(text) == text
