"""The newspaper parser on the real front pages and the dated inside page."""

from collections import Counter

import pytest

from rag.documents.normalize import cjk_chars
from tests.helpers import NEWS_2022_09_27, NEWS_2023_04, NEWS_2023_08, parsed

# Each article in page order: its title; the lines that open its clause text before the byline (kicker, headline,
# subtitle, fact box); its byline; the start of its body. The April page prints each headline after its text, the
# August page mostly before it, and on both pages a headline can sit right next to another story's text.
APRIL = [
    ("助力许昌制造业做大做强做优",
     ["省工信厅出台政策支持许昌高质量建设城乡融合共同富裕先行试验区", "助力许昌制造业做大做强做优"],
     "本报记者 付家宝 通讯员 刘小凯",
     "坚定不移抓工业，始终是提振地方经济硬实力、加快实现现代化的\n“不二法门”。"),
    # a photo caption: its title 城乡融合 共富共美 is printed at the foot of the page, beside no text
    ("4月10日，建安区北海公园春意浓", [], "",
     "4月10日，建安区北海公园春意浓。近年来，我市围绕城乡融合发展，"),
    # no headline of this story is in the extracted text
    ("强化污染治理是持续提升生态环境质量的必然要求", [], "本报讯 （记者 张辉 通讯员 黄子龙）",
     "强化污染治理是持续提升生态环境质量的必然要求。为加强新污染物治理，"),
    ("“职”为人生更出彩",
     ["我市启动为期三个月的“公共就业服务进校园”活动", "“职”为人生更出彩"], "本报讯（记者胡晨通讯员胡浩）",
     "为促进高校毕业生高质量就业，我市决定即日起至6月底，开展为期三个月的“公共就业服务进校园”活动。"),
    ("我市加大市政基础设施管养考核力度", ["我市加大市政基础设施管养考核力度"], "本报讯（记者高伟山通讯员田苗）",
     "中心城区路面是否有破损，桥梁是否完好，行业管理如何……日前，市住建局"),
    ("我市4名作家成为河南省作家协会会员", ["我市4名作家成为河南省作家协会会员"], "本报讯（记者李新）",
     "近日，河南省作协2022年新会员名单公布，"),
]
AUGUST = [
    ("何以统揽发展全局?",
     ["统一思想 提振信心 凝聚力量 推动发展", "深入学习贯彻市委八届五次全会精神", "何以统揽发展全局?",
      "——深入贯彻落实市委八届五次全会精神之二"], "本报评论员",
     "“壹引其纲，万目皆张。”中央经济工作会议部署今年经济工作时，"),
    ("产业强“链”", ["记者手记", "产业强“链”"], "张铮",
     "制造业是许昌最大的“家底”。\n法国圣戈班禹州高性能科技材料项目投资8亿元"),
    ("法国圣戈班禹州高性能科技材料项目：对接“欧洲技术”刷新“许昌速度”",
     ["法国圣戈班禹州高性能科技材料项目：对接“欧洲技术”刷新“许昌速度”", "项目名片", "法国圣戈班禹州高性能科技材料项目",
      "●项目地址禹州市陶瓷产业园", "●总投资计划总投资8亿元",
      "●建设内容建设年产20万吨轻质石膏粉生产线、4000万平方米纸面石膏板生产线等"], "本报讯(记者张铮)",
     "“吃”进去的是脱硫石膏，“吐”出来的是环保型石膏粉。8月19日，"),
    ("富森生物公司年产9000吨核糖类产品项目：瞄准新兴行业 争当“全国最大”",
     ["富森生物公司年产9000吨核糖类产品项目：瞄准新兴行业 争当“全国最大”", "项目名片", "富森生物年产9000吨核糖类产品项目",
      "●项目地址国家许昌经济技术开发区", "●总投资计划总投资11.3亿元",
      "●建设内容建设发酵车间、提取车间、动力车间、液糖车间及其他配套设施"], "本报讯(记者张铮)",
     "实验室里，科研人员推陈出新，"),
    # this headline is printed after its text, the next one before its own
    ("刘涛在市政府第三十二次重点工作周交办会议上强调 盯紧目标 持续攻坚 确保重点交办事项高效落实",
     ["刘涛在市政府第三十二次重点工作周交办会议上强调 盯紧目标 持续攻坚 确保重点交办事项高效落实", "张庆一等参加"],
     "本报讯(记者王利辉)",
     "8月21日，市长刘涛主持召开市政府2023年第32次重点工作周交办会议。"),
    ("刘涛在市道路交通安全管理委员会二〇二三年第一次全体会议上强调 思想高度重视 注重风险防范 确保全市道路交通安全形势持续向好",
     ["刘涛在市道路交通安全管理委员会二〇二三年第一次全体会议上强调 思想高度重视 注重风险防范 确保全市道路交通安全形势持续向好",
      "张庆一等出席"], "本报讯(记者王利辉)",
     "8月21日，市道路交通安全管理委员会召开2023年第一次全体会议。"),
]
# printed on the page but in no article: continuation marks, the page date, and headlines with no text beside them
NOT_IN_ARTICLES = {
    NEWS_2023_04: ["为强国建设民族复兴增光添彩",  # the page's slogan
                   "黄旭东出席市委党校2023年春季学期主体班第一批培训班开班式",  # its story is not on this page
                   "广告", "城乡融合 共富共美", "（下转第二版）" * 2],
    NEWS_2023_08: ["(下转第二版)" * 2],
    NEWS_2022_09_27: ["2022年9月27日 星期二"],
}


def test_pages_yield_their_articles():
    assert len(parsed(NEWS_2023_04)) == len(APRIL)
    assert len(parsed(NEWS_2023_08)) == len(AUGUST)
    assert len(parsed(NEWS_2022_09_27)) == 3


@pytest.mark.parametrize(("path", "expected"), [(NEWS_2023_04, APRIL), (NEWS_2023_08, AUGUST)])
def test_each_headline_goes_with_its_own_article(path, expected):
    for doc, (title, headlines, byline, body_start) in zip(parsed(path), expected, strict=True):
        assert doc.title == title
        assert doc.byline == byline
        lead = [*headlines, byline] if byline else headlines
        assert doc.clauses[0].text.startswith("\n".join([*lead, body_start])), doc.clauses[0].text[:300]


def test_headlines_and_bylines():
    inside = parsed(NEWS_2022_09_27)
    assert inside[0].title == "强力推动产业升级 走好强市兴市之路"
    assert inside[0].byline == "本报记者 付家宝"
    assert inside[1].title == "产业发展大事记"
    april = {d.title: d.byline for d in parsed(NEWS_2023_04)}
    assert april["助力许昌制造业做大做强做优"] == "本报记者 付家宝 通讯员 刘小凯"
    assert "本报讯（记者胡晨通讯员胡浩）" in april.values()  # a byline broken over two lines
    august = {d.title: d.byline for d in parsed(NEWS_2023_08)}
    assert august["何以统揽发展全局?"] == "本报评论员"


def test_only_a_printed_date_or_the_manifest_s_month_is_recorded():
    assert {d.date for d in parsed(NEWS_2022_09_27)} == {20220927}
    # the front pages print no date: the manifest gives the month of the collection record, and no day
    assert {d.date for d in parsed(NEWS_2023_04)} == {20230400}
    assert {d.date for d in parsed(NEWS_2023_08)} == {20230800}


def test_articles_are_normalized_and_lose_continuation_marks():
    lead = parsed(NEWS_2023_04)[0].clauses[0].text
    assert "提振地方经济硬实力" in lead
    assert "下转第二版" not in lead
    assert not any("下转第二版" in d.clauses[0].text for d in parsed(NEWS_2023_08))


@pytest.mark.parametrize("path", list(NOT_IN_ARTICLES))
def test_no_article_text_is_lost_or_duplicated(path):
    printed = Counter(cjk_chars(path.read_text(encoding="utf-8")))
    articles = Counter(cjk_chars("".join(d.clauses[0].text for d in parsed(path))))
    assert printed - articles == Counter(cjk_chars("".join(NOT_IN_ARTICLES[path])))
    assert articles - printed == Counter()


def test_a_page_dated_to_the_month_speaks_of_a_year_another_part_of_its_article_names(tmp_path):
    """The April page is dated 2023-04 by its manifest entry; the 新污染物 article is indexed in two parts and
    only the second names 2025: a question about 2025 is still answered from the article."""
    from tests.helpers import fake_answerer

    answer = fake_answerer(tmp_path, (NEWS_2023_04.name,)).run("许昌新污染物治理方案要求2025年完成什么？")
    assert not answer.refused
    assert answer.citations[0].doc_title == "强化污染治理是持续提升生态环境质量的必然要求"
    assert answer.citations[0].display() == "《许昌日报》2023年4月 头版《强化污染治理是持续提升生态环境质量的必然要求》"
