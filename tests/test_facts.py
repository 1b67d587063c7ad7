"""What a figure sentence must give to answer a part: a figure the question did not already give,
for the year asked, from the table row and column asked when that cell is not blank."""

import pytest

from rag.answer.facts import (
    asked_spans,
    asks,
    fact_spans,
    other_rank,
    restates,
    sentence_years,
    states,
    states_figure,
    unconfirmed_figures,
)
from rag.index.sentences import asked_columns, row_cells

HEADER = "土地级别 用地类型\t一级地\t二级地\t三级地\t四级地\t五级地\t六级地\t七级地"
SPECIAL = "特殊用地\t975\t705\t525\t420\t\t\t"


def test_a_figure_the_question_already_gave_does_not_answer_it():
    sentence = "四个阶段全流程（即从立项到竣工）审批总时限控制在100个工作日以内。"
    assert restates(sentence, ("date",), "全流程控制在100个工作日以内，其中施工许可阶段限时多少个工作日？")
    assert not restates(sentence, ("date",), "投资项目审批全流程要多少个工作日？")
    assert not restates("提高行政村卫生室基本运行经费补助至6000元", ("money",), "补助提高到5000元了吗，现在是多少钱？")


def test_a_comparison_base_year_is_not_the_year_a_sentence_speaks_of():
    assert sentence_years("二手车交易量较2023年增长45%，废旧家电回收量较2023年增长40%") == set()
    assert sentence_years("2023年，全市地区生产总值3238.2亿元、增长0.9%") == {2023}
    assert sentence_years("2025 年，完成高关注新污染物环境风险筛查") == {2025}  # PDF text spaces 年 off
    assert sentence_years("到2022年，建成许昌国家级高新区") == {2022}


def test_a_table_row_keeps_its_blank_cells_in_their_columns():
    assert row_cells(HEADER, SPECIAL) == [("土地级别 用地类型", "特殊用地"), ("一级地", "975"), ("二级地", "705"),
                                          ("三级地", "525"), ("四级地", "420"), ("五级地", ""), ("六级地", ""), ("七级地", "")]
    assert asked_columns(HEADER, "特殊用地五级地的出让基准地价是多少？") == ["五级地"]
    assert asked_columns(HEADER, "特殊用地的基准地价是多少？") == []


@pytest.mark.parametrize(("sentence", "kind", "stated"), [
    ("可以自知道该行政行为之日起六十日内提出行政复议申请", "date", True),  # figures in Chinese numerals
    ("拒不改正的，处二百元以上五百元以下罚款", "money", True),
    ("每一户籍且每一固定居住场所限养一只", "count", True),  # a limit states a count, even of one
    ("任何一个人都应当遵守", "count", False),
    ("体型标准及种类，由市公安机关确定并公布", "department", True),  # the agent of a rule
    # an amount set as a share or multiple of another amount says how much
    ("每人每年定额资助标准为居民基本医疗保险年度个人缴费标准的50%", "money", True),
    ("特困人员基本生活标准按照不低于当地低保标准的1.3倍制定", "money", True),
    ("分别为不低于当地上年度最低工资标准1/10、1/6、1/3", "money", True),
    ("全市规模以上工业增加值增长8%", "money", False),  # a growth rate is no amount
    # a quarter as a time, not the 季度 of a quarter's sales
    ("各责任单位每季度向市政府报告进展", "date", True),
    ("免征增值税小规模纳税人月销售额提高到10万元（季度销售额30万元）", "date", False),
])
def test_what_a_sentence_states(sentence, kind, stated):
    assert states(sentence, kind) is stated


@pytest.mark.parametrize(("question", "kinds"), [
    ("公安机关负责哪些事？", ()),  # names the agency and asks its duties
    ("市民政局负责什么？", ()),
    ("这项工作由什么部门负责？", ("department",)),
    ("哪个部门牵头？", ("department",)),
    ("养犬人应当在几日内办理登记？", ("date",)),
    # a penalty is asked by how it is dealt with; whether one is punished (会被罚吗) is answered by the rule broken
    ("接到困人报警不立即去救援，怎么处罚？", ("penalty",)),
    ("违规养狗会受到什么处罚？", ("penalty",)),
    ("给等红灯的车塞小广告，会被罚吗？", ()),
    ("要几天能办好？", ("date",)),
    ("用水报装要几个工作日？", ("date",)),  # 几个 of 几个工作日 asks a duration, not a count
    ("高龄津贴每个月几号打到卡上？", ("day",)),  # a day of the month, not how often
    ("郑许市域铁路票价多少？", ("money",)),  # a price is a sum
    ("要是评上省级单项冠军企业，能奖多少", ("money",)),  # so is an award
    ("冬天烧暖气有没有补贴，一户给多少？", ("money",)),  # and what is given: 24小时 answers no 给多少
    ("高龄津贴每月发多少", ("money",)),
    ("每年给多少天假？", ("date",)),  # 给多少天 asks a time
    ("能发多少份证书？", ()),  # a number of copies, no sum
    ("2023年一共奖了多少家？", ("count",)),
    ("违规养狗咋处罚？", ("penalty",)),  # the spoken 咋 asks as 怎么 does
    ("增值税按几个点交？", ("ratio",)),  # 几个点 after 按/交/降…: percentage points
    ("费率降了多少个百分点？", ("ratio",)),
    ("全市建了多少个点位？", ("count",)),
    ("以旧换新政策有几个点需要注意？", ("count",)),
    ("需要补多少份材料？", ("materials",)),  # 补 of a count is no subsidy
    ("物流节点建设有什么支持政策？", ()),  # a 节点 of logistics is no time
])
def test_what_a_question_asks(question, kinds):
    assert asks(question).kinds == kinds


@pytest.mark.parametrize(("question", "sentences", "missing"), [
    ("省科技进步一等奖奖多少？", ["河南省科学技术进步奖：…关键技术，二等奖，许继集团8万元。"], ["一等奖"]),
    ("评上省级绿色工厂奖多少？", ["2023年度国家级绿色工厂，共2家企业，奖励资金共200万元。"], ["省级"]),
    ("评上省级绿色工厂奖多少？", ["2023年度省级绿色工厂，共1家企业，奖励资金共50万元。"], []),
    ("一等奖奖多少？", ["对获奖项目给予奖励。"], []),  # a sentence naming no rank may hold for every rank
    ("要建成几个国家级载体？", ["建成5个以上国家、省级创新创业特色载体。"], []),  # ranks listed with one suffix
    ("市级部门谁负责监管？", ["县级以上人民政府市场监督管理部门负责监督管理。"], []),  # every level from the county up
])
def test_a_sentence_on_another_rank_does_not_state_the_asked_one(question, sentences, missing):
    assert other_rank(question, sentences) == missing


@pytest.mark.parametrize("question", [
    "俺在矿上干了十几年，查出来尘肺病，有啥帮扶没有？",
    "做电商的小公司，同一个地址能注册好几家吗？",  # 好几 is "several"
    "我们环保一直守法，检查能不能少来几趟？",  # in a yes/no question 几 is "a few"
])
def test_a_number_told_or_a_few_asks_for_no_figure(question):
    assert not asks(question).needs_figure


def test_a_fine_given_as_a_multiple_is_an_amount():
    assert states("有违法所得的，没收违法所得，处违法所得2倍以上10倍以下的罚款", "money")


def test_a_department_in_bold_is_its_whole_name():
    sentence = "每年由市科技领导小组办公室提出上年度奖励支持的事项和资金安排意见。"
    assert [sentence[s:e] for s, e in fact_spans(sentence, ("department",))] == ["市科技领导小组办公室"]


def test_a_place_the_rule_cancels_is_not_the_place_to_apply():
    """「取消户籍地、居住地申请限制」 takes those places away: the place to apply is the 急难发生地."""
    sentence = "取消户籍地、居住地申请限制，在急难发生地按规定通过临时救助及时给予急难社会救助。"
    assert [sentence[s:e] for s, e in fact_spans(sentence, ("place",))] == ["发生地"]


@pytest.mark.parametrize(("sentence", "stated"), [
    ("80—89岁老年人每人每月不低于50元", False),  # how often, not which day
    ("每月10日前发放到户", True),
    ("本基准地价自通知印发之日起执行", True),
    ("落实《国务院关于印发…行动方案的通知》（国发〔2024〕7号）", False),  # a 文号's 号 is no day
])
def test_which_day_is_stated_by_a_day_not_by_a_frequency(sentence, stated):
    assert states(sentence, "day") is stated


def test_a_place_to_apply_online_is_a_place():
    sentence = "方便群众通过“健康许昌”微信公众号申领电子健康卡。"
    assert [sentence[s:e] for s, e in fact_spans(sentence, ("place",))] == ["通过“健康许昌”微信公众号申领"]



def test_where_a_body_sits_is_a_place():
    """「专班…办公室设在哪？」 was refused though the clause says where (a department is where the office sits)."""
    sentence = "成立工作专班，办公室设在市发展和改革委员会，科学分工实施集中攻坚。"
    assert [sentence[s:e] for s, e in fact_spans(sentence, ("place",))] == ["设在市发展和改革委员会"]


ELECTRICITY = ("高压项目可控业务环节平均时限不超过20个工作日，低压无电网配套工程项目“当日受理、次日送电”，"
               "低压有电网配套工程项目不超过7个工作日。")


def _bold(sentence: str, question: str) -> list[str]:
    return [sentence[s:e] for s, e in asked_spans(sentence, ("date",), question)]


def test_of_several_figures_in_a_sentence_the_one_whose_phrase_the_question_names_is_the_answer():
    assert _bold(ELECTRICITY, "低压有电网配套工程项目时限是多少？") == ["7个工作日"]
    assert _bold(ELECTRICITY, "高压项目要多久？") == ["20个工作日"]
    # nothing singles one out (时限 and 多久 ask, they name no project): each is an answer
    assert _bold(ELECTRICITY, "用电报装时限是多久？") == ["20个工作日", "7个工作日"]
    assert _bold(ELECTRICITY, "高压和低压有电网的分别要多久？") == ["20个工作日", "7个工作日"]


AGES = ("对80岁以上老年人发放高龄津贴，其中80—89岁老年人每人每月不低于50元，90—99岁老年人每人每月不低于100元，"
        "100岁以上老年人每人每月不低于300元。")


def test_a_bound_the_question_sets_singles_out_no_phrase():
    # 「80岁以上」 asks every age from 80: the 以上 of 「100岁以上」 is no name of its phrase
    assert [AGES[s:e] for s, e in asked_spans(AGES, ("money",), "80岁以上老人高龄津贴每月多少钱")] == [
        "50元", "100元", "300元"]


@pytest.mark.parametrize(("question", "sentences", "unconfirmed"), [
    ("高新技术企业所得税减按15%征收吗？", ["落实好小型微利企业企业所得税优惠、增值税小规模纳税人按50%幅度减征相关地方税种。"],
     ["15%"]),
    ("医保个人缴费补助50%吗？", ["每人每年定额资助标准为居民基本医疗保险年度个人缴费标准的50%。"], []),
    ("所得税减按15%征收，怎么申请？", ["落实企业所得税优惠。"], []),  # not asked to confirm: a given
    ("我家年收入3万元，能申请低保吗？", ["家庭人均收入低于当地低保标准。"], []),  # the asker's situation
    ("税率是5%吗？", ["减按15%征收。"], ["5%"]),  # 5% is no part of 15%
    ("奖励是1万元吗？", ["奖励10000元。"], []),  # the same sum written otherwise
])
def test_a_figure_a_yes_no_question_puts_forward_is_confirmed_only_by_a_sentence_stating_it(question, sentences,
                                                                                         unconfirmed):
    assert unconfirmed_figures(question, sentences) == unconfirmed


def test_a_decimal_figure_is_bold_whole():
    assert _bold("办理时间压缩至6.5个工作日。", "用热多久能办好？") == ["6.5个工作日"]


@pytest.mark.parametrize(("sentence", "figure"), [
    ("2024年6月28日", False),  # a document's date line says when
    ("坑槽修补等城区道路病害5月底前处置到位。", False),
    ("缓缴时限最长不超过3个月。", True),  # a count of months is how long
    ("每人每月发放200元。", True),
    ("献血者献全血的，每次可以选择献二百毫升、三百毫升或者四百毫升血液。", True),  # a law's numbers in words
    ("献血者配偶可以累计享受献血量等量的免费用血。", True),  # an amount equal to another
    ("特困人员享受全额资助参加城乡居民基本医疗保险。", True),
    ("按照规定落实贷款贴息、税费减免等就业扶持政策。", False),
])
def test_a_date_is_no_figure_of_how_much(sentence, figure):
    assert states_figure(sentence) is figure


@pytest.mark.parametrize(("question", "kinds"), [
    ("是哪几家单位负责？", ("department",)),  # 哪几 asks which, as 哪些 does
    ("全市有几家？", ("count",)),
    ("市里奖了谁？", ()),  # who received, not who is responsible
    ("责任单位是谁？", ("department",)),
    ("我们养老院想办个医务室，手续能简化吗", ()),  # whether, about the procedure
    ("申请低保要带什么材料吗", ("materials",)),
    ("家里烧得啥都没了，临时救助能不能先给点，手续以后再补？", ()),  # 啥都: anything, no question
    ("去哪个银行办？", ("place",)),  # a place named by its kind asks where
    ("市级公立中医院在哪个位置？", ("place",)),
    ("城镇土地使用税一年分几次交", ("count",)),  # how many times: 「12元/平方米」 is no answer to it
    ("残疾证得是几级才行", ("count",)),  # which grade
    ("哪个部门负责？", ("department",)),
])
def test_the_kind_of_fact_asked_follows_the_grammar_of_the_question(question, kinds):
    assert asks(question).kinds == kinds


@pytest.mark.parametrize(("sentence", "stated"), [
    ("（二）二级土地：西环路—许由路北侧50米封闭区域内的土地；", True),
    ("一级土地年税额标准为12元/平方米。", False),
])
def test_a_grade_is_a_count_and_a_sum_is_not(sentence, stated):
    assert states(sentence, "count") is stated


def test_only_a_measure_in_a_tables_header_is_its_unit():
    """县(市、区) and （一） are no units; 拟奖励金额(万元) and 单位：元/平方米 are."""
    from rag.answer.facts import table_units

    assert table_units("序号\t企业名称\t拟奖励金额(万元)\t县(市、区)\n1\t某公司\t10\t魏都区") == ["万元"]
    assert table_units("附件1 出让基准地价 单位：元/平方米\n土地级别\t一级地\n商业用地\t3000") == ["元/平方米"]
    assert table_units("附件3 土地收益租金标准 单位：元/平方米·年\n土地级别\t一级地\n商业用地\t30") == ["元/平方米·年"]
    assert table_units("（一）加强社会救助。各县（市、区）政府负责。") == []


def test_how_long_before_an_event_states_a_time_limit():
    """「应当在物业服务合同期限届满前九十日书面通知」 answers 「要提前多久通知」; 「目前三个月」 says when, not how long before."""
    from rag.answer.facts import states

    assert states("应当在物业服务合同期限届满前九十日书面通知业主委员会。", "date")
    assert states("应当提前30日通知。", "date")
    assert not states("目前三家企业已投产。", "date")


@pytest.mark.parametrize("question", ["谁可以申请临时救助？", "特困供养都是啥样的人能领", "哪种人能享受高龄津贴？", "啥人能领低保"])
def test_who_may_receive_help_is_read_in_spoken_forms_too(question):
    from rag.answer.facts import WHO_QUALIFIES

    assert WHO_QUALIFIES.search(question)
