"""What a question asks that the cited clause leaves out, and the documents' own abbreviations."""

import numpy as np
import pytest

from rag.answer.question import QuestionPart, each_coordinate
from rag.answer.terms import TermCheck, asked_terms, covers, undistinguished_scope
from rag.index.lexical import LexicalIndex, init_jieba
from rag.index.vocabulary import Vocabulary

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


# the documents' words nearest in meaning, as the embedding model gives them (rag.index.vocabulary)
DOCUMENTS_WORDS = {"暖气": ["取暖", "供暖"], "多长时间": ["时间"]}


def test_a_word_nothing_in_the_library_speaks_of_is_missing_when_the_clause_shares_no_other_asked_term():
    check = TermCheck(LIBRARY + "一般登记业务5个工作日办结。", library_terms=lambda word: DOCUMENTS_WORDS.get(word, []))
    assert check.missing("办护照一般多长时间能拿到？", "一般登记业务5个工作日办结。") == ["护照"]
    # a clause on the asked subject (贷款) keeps the person's other word to itself
    assert check.missing("办护照的贷款额度多少？", "创业担保贷款最高额度20万元。") == []
    # but not in a part whose subject is in what it leans on
    assert check.missing("不是本地户口也行吗？", "取消户籍地、居住地申请限制。", own_subject=False) == []
    # an own word with a word of the library close in meaning (暖气: 取暖) is not called missing where the clause
    # uses that word; a clause with none of them that shares no asked term does not speak of it
    assert check.missing("烧暖气咋办？", "冬季给予取暖补贴。") == []
    assert check.missing("烧暖气咋办？", "住院护理补贴每人每天100元。") == ["暖气"]


def test_a_name_the_segmenter_does_not_know_ties_the_clause_to_the_question():
    check = TermCheck(LIBRARY + "法国圣戈班项目总投资8亿元。", library_terms=lambda word: {"厂子": ["工厂"]}.get(word, []))
    # 厂子's word 工厂 is not in the article, but the article is about 圣戈班, which the asking piece names
    assert check.missing("那个法国圣戈班的厂子投了多少钱", "法国圣戈班项目总投资8亿元。") == []
    # a name in the situation before the asking piece does not tie: 孩子 (子女) is what is asked
    words = TermCheck(LIBRARY + "落实个人所得税6项专项附加扣除。", library_terms=lambda word: {"孩子": ["子女"]}.get(word, []))
    assert words.missing("个人所得税里的子女教育专项附加扣除，每个孩子每月能扣多少？",
                         "落实个人所得税6项专项附加扣除。") == ["孩子"]


def test_an_own_word_is_named_with_the_cited_clauses_word_for_it_and_never_called_missing():
    check = TermCheck(LIBRARY + "取暖补贴高龄津贴", library_terms=lambda word: DOCUMENTS_WORDS.get(word, []))
    assert check.documents_words("烧暖气有补贴吗？", "给予取暖补贴等救助帮扶。") == [("暖气", "取暖")]
    assert check.missing("烧暖气有补贴吗？", "给予取暖补贴等救助帮扶。") == []
    # a clause with none of the documents' words for it: nothing named, and still not called missing
    assert check.documents_words("烧暖气有补贴吗？", "住院护理补贴每人每天100元。") == []
    # the documents' word inside the person's (多长时间, 时间) is no other name for it
    words = TermCheck(LIBRARY + "企业开办时间", library_terms=lambda word: {"多长时间": ["时间"]}.get(word, []))
    assert words.documents_words("开办企业要多长时间？", "企业开办时间压缩至1个工作日。") == []
    assert check.missing("烧暖气有补贴吗？", "住院护理补贴每人每天100元。") == []


def test_an_abbreviation_is_covered_by_its_full_form():
    assert covers("最低生活保障对象", "低保")
    assert not covers("最低生活，保障对象", "低保")  # not across a phrase break
    assert covers("特困人员救助供养", "特困供养")  # 人员救助: four characters between the halves
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


@pytest.mark.parametrize(("text", "term", "alone"), [
    ("临时救助和医疗救助去哪里申请？", "医疗救助", ["临时救助去哪里申请？", "医疗救助去哪里申请？"]),
    ("医疗救助、临时救助找哪个部门？", "医疗救助", ["临时救助找哪个部门？", "医疗救助找哪个部门？"]),
    ("住房公积金贷款利率是多少？", "贷款利率", []),  # not coordinated: the missing term stays named
])
def test_what_is_asked_of_two_coordinated_terms_is_asked_of_each(text, term, alone):
    parts = each_coordinate(QuestionPart(text, f"上文 {text}"), term)
    assert [p.text for p in parts] == alone
    assert [p.query for p in parts] == [f"上文 {a}" for a in alone]


def test_the_vocabulary_holds_the_words_several_clauses_use_and_finds_the_nearest_in_meaning(tmp_path):
    init_jieba(tmp_path)
    frequency = {"取暖": 3, "供暖": 2, "企业": 9, "光伏发电": 2, "暖": 5, "补贴": 1}
    axes = {"取暖": [1.0, 0.0], "供暖": [0.8, 0.6], "企业": [0.0, 1.0]}
    vocabulary = Vocabulary.build(frequency, lambda texts: np.array([axes[t] for t in texts]))
    assert vocabulary.terms == ["企业", "供暖", "取暖"]  # 光伏发电: a phrase; 暖: one character; 补贴: one clause
    assert vocabulary.nearest(np.array([0.96, 0.28])) == ["取暖", "供暖"]  # cosines 0.96, 0.94; 企业 0.28
    vocabulary.save(tmp_path / "generation")
    loaded = Vocabulary.load(tmp_path / "generation")
    assert loaded.terms == vocabulary.terms and np.array_equal(loaded.vectors, vocabulary.vectors)
    vectors = tmp_path / "generation" / "vocabulary.npy"
    vectors.write_bytes(vectors.read_bytes()[:-8] + bytes(8))  # zeroed bytes: found by the checksum
    assert Vocabulary.load(tmp_path / "generation") is None
    assert Vocabulary.damaged(tmp_path / "generation") == vectors


def test_a_choice_asked_across_a_comma_asks_both_sides():
    """「…是商场当场减，还是回头打到卡上？」: 商场 is one of the two choices, not the situation before the question."""
    assert [t.word for t in asked_terms("以旧换新的补贴是商场当场减，还是回头打到卡上？")] == ["以旧换新", "补贴", "商场"]
    # a piece before it that is no choice stays the situation
    assert [t.word for t in asked_terms("我家老人80岁了，护理补贴有多少？")] == ["护理", "补贴"]


def test_a_library_word_is_not_missing_where_the_clause_uses_a_word_of_the_same_meaning():
    """房子 is in one news item; a 住房救助 clause speaks of it as 住房 (the persona's 「没房子住咋办」 got
    「文件没有写“房子”」 over the right clause)."""
    check = TermCheck(LIBRARY + "他家的房子很旧。住房救助。", library_terms=lambda word: {"房子": ["住房"]}.get(word, []))
    assert check.missing("城里没房子住咋办", "住房救助。对城市最低生活保障家庭优先给予住房救助。") == []
    assert check.missing("城里没房子住咋办", "最低生活保障对象按月发放。") == ["房子"]


def test_a_word_jieba_takes_for_a_name_is_a_term_where_the_library_uses_it():
    """jieba tags 养老金 'nr' (a person's name): the 高龄津贴 clause does not speak of it."""
    check = TermCheck(LIBRARY + "提高退休人员基本养老金。关爱老人。")
    assert check.missing("农村老人养老金每个月能领多少钱？", "对80岁以上老年人发放高龄津贴，每人每月不低于50元。") == ["养老金"]


def test_the_name_of_the_kind_of_fact_asked_is_no_term():
    """「…的时限」 asks a date, which 「5月底前全部完成」 states: 时限 is what the fact check looks for, not a word."""
    assert "时限" not in [t.word for t in asked_terms("清洁取暖项目工程竣工验收的时限是什么？")]
    assert [t.word for t in asked_terms("咨询电话和办理时限是多少？")] == ["咨询电话"]


def test_a_space_between_words_is_a_phones_comma():
    """「家里是低保户 护理费咋算」: 护理费 is no part of the person's own phrase 低保户 (a word the documents never
    use), so the clause on 重度残疾人 that lacks it is said to lack it."""
    terms = asked_terms("我爸瘫痪在床 家里是低保户 护理费咋算")
    assert [(t.word, t.phrase) for t in terms] == [("低保户", ("低保户",)), ("护理费", ("护理费",))]
    check = TermCheck(LIBRARY + "及时足额发放照料护理费。")
    assert check.missing("我爸瘫痪在床 家里是低保户 护理费咋算", "成年无业重度残疾人可以参照“单人户”提出低保申请。") == ["护理费"]
