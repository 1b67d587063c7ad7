"""What a question asks that the cited clause leaves out, and the documents' own abbreviations."""

import pytest

from rag.answer.terms import TermCheck, asked_terms, covers, undistinguished_scope
from rag.lexical import LexicalIndex, init_jieba

LIBRARY = ("住房公积金缴存比例为5%—12%。创业担保贷款最高额度20万元。最低生活保障对象按月发放。"
           "城乡最低生活保障标准统一。农村危房改造优先。")


def test_the_asking_clause_gives_the_terms_not_the_situation_before_it():
    assert [t.word for t in asked_terms("许昌的住房公积金贷款利率是多少？")] == ["住房", "公积金", "贷款", "利率"]
    assert [t.word for t in asked_terms("我家老人80岁了，护理补贴有多少？")] == ["护理", "补贴"]


def test_references_are_where_to_look_not_what_is_asked():
    assert "许政" not in [t.word for t in asked_terms("许政〔2020〕8号 三、（三）4. 牵头单位是谁？")]


def test_a_term_the_library_uses_but_the_clause_does_not_is_missing_and_adjacent_ones_are_joined():
    check = TermCheck(LIBRARY + "贷款利率由银行确定。")
    assert check.missing("许昌的住房公积金贷款利率是多少？", "住房公积金缴存比例为5%—12%。") == ["贷款利率"]


def test_a_word_the_library_never_uses_is_the_persons_own_and_not_called_missing():
    check = TermCheck(LIBRARY)
    assert check.missing("五保老人的钱怎么发？", "最低生活保障对象按月发放。") == []


def test_an_abbreviation_is_covered_by_its_full_form():
    assert covers("最低生活保障对象", "低保")
    assert not covers("最低生活，保障对象", "低保")  # not across a phrase break
    assert TermCheck(LIBRARY + "低保").missing("低保怎么发放？", "最低生活保障对象按月发放。") == []


@pytest.mark.parametrize(("question", "clause", "scope"), [
    ("那农村的呢？", "城乡最低生活保障标准统一。", "农村"),  # one rule for both, said so
    ("那农村的呢？", "最低生活保障标准按月发放。", "农村"),  # names neither side
    ("那农村的呢？", "城市低保标准每人每月600元。", ""),  # the clause is about the city only
    ("那农村的呢？", "农村危房改造优先。", ""),  # the clause speaks of it
])
def test_an_urban_or_rural_scope_the_clause_does_not_distinguish(question, clause, scope):
    assert undistinguished_scope(question, clause) == scope


def test_the_documents_full_form_of_a_short_word_is_learned_from_the_index(tmp_path):
    init_jieba(tmp_path)  # as the app does: the dictionary holds the documents' terms
    texts = ["最低生活保障对象认定", "最低生活保障标准", "低保申请", "医疗保障待遇", "医疗保障范围", "企业发展"]
    index = LexicalIndex.build([str(i) for i in range(len(texts))], texts)
    assert index.full_forms("低保") == ["最低生活保障"]
    assert index.full_forms("医保") == ["医疗保障"]
    assert index.full_forms("企业") == []
