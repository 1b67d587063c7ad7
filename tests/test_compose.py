"""The answer's text rendered from its typed parts: one line per part, nothing printed twice, no
fragment, unanswered parts marked."""

from rag.answer.compose import ANSWERED, NOT_FOUND, PARTLY, Composition, PartAnswer, _topic, first_line, render


def lines(*parts: PartAnswer) -> list[str]:
    return render(Composition(list(parts))).split("\n依据：")[0].splitlines()


def test_parts_answered_by_the_same_text_share_one_line_numbered_only_beside_another():
    same = "照料护理标准分三档。"
    assert lines(PartAnswer("标准是多少？", ANSWERED, same, (1,)), PartAnswer("怎么定？", ANSWERED, same, (1,))) == [
        "照料护理标准分三档。 [1]"]
    assert lines(PartAnswer("标准是多少？", ANSWERED, same, (1,)), PartAnswer("怎么定？", ANSWERED, same, (1,)),
                 PartAnswer("谁负责？", ANSWERED, "责任单位：**市民政局**。", (2,))) == [
        "1、2. 照料护理标准分三档。 [1]", "3. 责任单位：**市民政局**。 [2]"]


def test_a_quote_shared_by_a_partly_and_an_answered_part_is_one_line_naming_what_is_missing():
    quote = "贷款综合成本进一步降低0.5个百分点。"
    assert lines(PartAnswer("贷款利率能降多少？", PARTLY, quote, (1,), ("利率",)),
                 PartAnswer("有没有贴息？", ANSWERED, quote, (1,))) == [
        "◐ 文件没有写“利率”；最接近的规定是：贷款综合成本进一步降低0.5个百分点。 [1]"]


def test_two_parts_not_found_for_the_same_reason_are_each_named():
    reason = "相关条款没有写明联系电话。"
    assert lines(PartAnswer("标准是多少？", ANSWERED, "分三档。", (1,)), PartAnswer("电话是多少？", NOT_FOUND, reason),
                 PartAnswer("热线是多少？", NOT_FOUND, reason)) == [
        "1. 分三档。 [1]",
        f"2. ◐ 关于“电话是多少”：现有文件中没有找到明确规定。{reason}",
        f"3. ◐ 关于“热线是多少”：现有文件中没有找到明确规定。{reason}"]


def test_an_unanswered_part_is_marked_and_named():
    assert lines(PartAnswer("标准是多少？", ANSWERED, "分三档。", (1,)),
                 PartAnswer("咨询电话是多少？", NOT_FOUND, "相关条款没有写明联系电话。")) == [
        "1. 分三档。 [1]", "2. ◐ 关于“咨询电话是多少”：现有文件中没有找到明确规定。相关条款没有写明联系电话。"]


def test_a_part_whose_clause_leaves_out_an_asked_term_says_which():
    assert lines(PartAnswer("贷款利率是多少？", PARTLY, "缴存比例为5%—12%。", (1,), ("贷款利率",))) == [
        "◐ 文件没有写“贷款利率”；最接近的规定是：缴存比例为5%—12%。 [1]"]


def test_no_line_ends_in_the_middle_of_a_sentence():
    assert lines(PartAnswer("补贴多少？", ANSWERED, "每人500元；。", (1,))) == ["每人500元。 [1]"]
    assert lines(PartAnswer("补贴多少？", ANSWERED, "商业用地：二级地 **1230**（元/平方米）；", (1,))) == [
        "商业用地：二级地 **1230**（元/平方米）。 [1]"]


def test_a_long_quote_leads_with_the_sentence_holding_the_asked_fact_and_keeps_the_rest_below():
    text = ("照料护理费用可由县级民政部门统筹用于购买特困人员照料护理服务，各地要加强监督管理，确保服务质量和资金安全，"
            "不得挤占挪用。照料护理标准分为三档，分别为不低于当地上年度最低工资标准**1/10、1/6、1/3**。")
    direct, rest = first_line(text)
    assert direct == "照料护理标准分为三档，分别为不低于当地上年度最低工资标准**1/10、1/6、1/3**。"
    assert rest.startswith("照料护理费用可由县级民政部门统筹") and len(direct + rest) == len(text)


def test_a_title_sentence_is_never_the_whole_first_line():
    text = "最低生活保障边缘家庭成员。" + "不符合最低生活保障、特困条件，家庭人均收入低于当地最低生活保障标准1.5倍的人口。" * 2
    direct, rest = first_line(text)
    assert direct.startswith("最低生活保障边缘家庭成员。不符合") and rest


def test_the_first_line_never_opens_with_the_mark_of_left_out_sentences():
    """「开展汽车以旧换新。……积极探索低速电动车…」 asked about 三轮电动车: the answer leads with its sentence, and
    the mark goes where the gap now is, between the sentences left below."""
    before = "开展汽车以旧换新。鼓励汽车生产企业、销售企业开展促销活动，并与开展汽车置换业务的企业加强合作。"
    asked = "积极探索低速电动车（含二、三、四轮）规范管理和**以旧换新**。"
    after = ("依法依规淘汰符合强制报废标准的老旧汽车，严格执行机动车强制报废标准规定和车辆安全环保检验标准，"
             "全面实施重型车国六排放标准，加快淘汰采用稀薄燃烧技术的燃气货车。")
    direct, rest = first_line(f"{before}……{asked}{after}")
    assert direct == asked
    assert rest == f"{before}……{after}"
    direct, rest = first_line(f"{before}……{asked}")
    assert (direct, rest) == (asked, before)


def test_a_sentence_two_parts_quote_from_one_clause_is_printed_once():
    """「小微企业贷款难？有风险补偿资金吗？」: both parts quote 许政〔2020〕8号 三、（三）2., each with the clause's
    rest below its own line; what the first part's lines printed is not printed under the second."""
    terms = "严禁发放贷款时附加不合理条件，以克扣放款数额、以贷转存等行为变相抬升小微企业融资成本。"
    credit = "进一步提高小微企业贷款中的信用贷款、续贷和中长期贷款的比例。"
    fund = "市级设立**5000万元**风险补偿资金，对担保机构对企业贷款担保净损失进行补偿。"
    assert lines(PartAnswer("小微企业贷款难？", ANSWERED, credit, (1,), support=f"贷款综合成本进一步降低。……{terms}"),
                 PartAnswer("有风险补偿资金吗？", ANSWERED, fund, (1,), support=f"{credit}{terms}")) == [
        f"1. {credit} [1]", f"贷款综合成本进一步降低。……{terms}", f"2. {fund} [1]"]


def test_a_repeat_is_left_out_only_within_one_clause_with_its_closing_marks_and_the_gap_shown():
    said = "由市民政局负责解释。"
    lines_shown = lines(
        PartAnswer("谁负责解释？", ANSWERED, f"（{said}）", (1,), support="“一是补贴。”二是奖励。"),
        PartAnswer("有哪些措施？", ANSWERED, "措施分两项。", (1,), support=f"“一是补贴。”三是服务。（{said}）",
                   see_also=(("许政〔2025〕2号 一、", f"（{said}）", 2),)))
    assert lines_shown == ["1. （由市民政局负责解释。） [1]", "“一是补贴。”二是奖励。", "2. 措施分两项。 [1]",
                           "三是服务。", "另见许政〔2025〕2号 一、：（由市民政局负责解释。） [2]"]
    middle = lines(PartAnswer("甲？", ANSWERED, "乙。", (1,)),
                   PartAnswer("丙？", ANSWERED, "丁。", (1,), support="戊是第一句。乙。己是第三句。"))
    assert middle[-1] == "戊是第一句。……己是第三句。"


def test_a_long_sentence_answers_with_the_phrase_stating_the_asked_fact_and_is_quoted_whole_below():
    """A 90-character sentence listing four grades' rates: the first line is the asked grade's phrase."""
    from rag.answer.compose import asked_phrase

    sentence = ("一级土地年税额标准为**12元** / 平方米，二级土地年税额标准为9元 / 平方米，三级土地年税额标准为6元 / 平方米，"
                "四级土地年税额标准为3元 / 平方米，自2024年7月1日起执行。")
    assert asked_phrase(sentence) == "一级土地年税额标准为**12元** / 平方米……"
    # the phrase before that says when, or on what condition, goes with it
    dated = ("到2025年，全市新增城镇就业**5万人**，城镇调查失业率控制在5.5%以下，居民收入增长和经济增长同步，"
             "粮食产量稳定在280万吨以上，单位生产总值能耗与“十四五”目标统筹衔接。")
    assert asked_phrase(dated) == "到2025年，全市新增城镇就业**5万人**……"
    assert asked_phrase("照料护理标准分为三档，分别为不低于当地上年度最低工资标准**1/10、1/6、1/3**。") == ""  # short
    assert asked_phrase(sentence.replace("**", "")) == ""  # no asked fact marked: no phrase to choose
    # 分别为 gives one figure to each item the phrase before it names: they are never left out (the persona's
    # 「瘫在床上…护理费给多少」 read 1/10, the 全自理 rate, from 「……分别为…**1/10**、1/6、1/3」)
    tiers = ("照料护理标准依据特困人员生活自理能力和服务需求分档制定，分为全自理标准、半自理标准和全护理标准三档，"
             "分别为不低于当地上年度最低工资标准**1/10、1/6、1/3**。")
    assert asked_phrase(tiers) == "……分为全自理标准、半自理标准和全护理标准三档，分别为不低于当地上年度最低工资标准**1/10、1/6、1/3**。"
    part = PartAnswer("一级土地每平方米多少钱？", ANSWERED, asked_phrase(sentence), (1,), support=sentence.replace("**", ""),
                      excerpt=True)
    assert lines(part) == ["一级土地年税额标准为**12元** / 平方米…… [1]", f"原文：{sentence.replace('**', '')}"]


def test_the_first_line_holds_the_best_sentence_even_after_two_short_ones():
    """A heading and a short sentence before the 高龄津贴 sentence went first, and the 高龄津贴 sentence, left below,
    was printed again for the part asking 「发多少」."""
    best = ("全面落实老年人关爱服务政策，对80岁以上老年人发放高龄津贴，其中80—89岁老年人每人每月不低于50元，"
            "90—99岁老年人每人每月不低于100元，100岁以上老年人每人每月不低于300元。")
    text = "保障基本养老服务供给。全面落实城乡特困人员供养制度，实现应养尽养。" + best
    direct, rest = first_line(text, best)
    assert direct == text and rest == ""


def test_a_refusal_of_a_long_message_names_only_its_end_not_the_whole_message():
    """The refusal of a 5,000-character paste repeated 490 characters of it inside 「没有找到“…”的明确规定」 (persona)."""
    story = "".join(f"第{i}点补充情况说明。" for i in range(500)) + "我家有老人，孩子上学，请问我家这种情况能办低保吗？"
    assert _topic(story) == "…我家有老人，孩子上学，请问我家这种情况能办低保吗"
    assert _topic("许昌低保每月发多少钱？") == "许昌低保每月发多少钱"
