"""A document, title or clause the question names is looked up in the library first: what is not there is
said on the first line and never answered from another document; what is there answers every part."""

import pytest

from rag.answer import Answerer
from rag.answer.references import Shelf, missing_path, named_references
from tests.helpers import fake_answerer

CLOSEST = "以下是文件库中最接近的内容，并非所问文件或条款的规定："


@pytest.fixture(scope="module")
def answerer(tmp_path_factory) -> Answerer:
    files = ("许昌市人民政府公报-2024-02.txt", "许昌市人民政府公报-2020-02.txt")
    return fake_answerer(tmp_path_factory.mktemp("references"), files)


@pytest.mark.parametrize("question", [
    "许政办〔2024〕7号 的责任单位是谁？",
    "许政办[2024]7号的责任单位是谁？",
    "許政辦〔2024〕7號的責任單位是誰？",
    "请问许政办〔2024〕第7号的责任单位是谁？",
    "许政办2024年第7号的责任单位是谁？",  # typed without brackets
    "2024年许政办7号文的责任单位是谁？",  # the year said first
    "许政办 2024 7号的责任单位是谁？",  # spaces for brackets
    "许政办 ２０２４年 ７ 号的责任单位是谁？",
])
def test_a_document_number_the_library_lacks_is_said_first_and_nothing_is_cited(answerer, question):
    answer = answerer.run(question)
    lines = answer.answer.splitlines()
    assert lines[:2] == ["文件库中没有许政办〔2024〕7号。", CLOSEST]
    assert answer.refused and answer.citations == []
    assert answer.unanswered_parts == [answer.search_question]


@pytest.mark.parametrize(("question", "first_line"), [
    ("许政办〔2024〕3号 七、（一）规定了什么？", "许政办〔2024〕3号 没有“七、”（该文件只有一、至五、）。"),
    ("许政办〔2024〕3号第六部分讲什么？", "许政办〔2024〕3号 没有“六、”（该文件只有一、至五、）。"),
    # a 公文 title without 《》: issuing body, 关于, subject, 的, kind of document
    ("许昌市人民政府关于促进民宿发展的意见有哪些补贴？", "文件库中没有《许昌市人民政府关于促进民宿发展的意见》。"),
    ("《许昌市养老服务条例》第十条怎么规定的？", "文件库中没有《许昌市养老服务条例》。"),
    # a law named without 《》: the article after its name makes it a reference, the question's words are not in it
    ("道路运输条例第九十条规定了什么？", "文件库中没有《道路运输条例》。"),
    ("请问根据河南省道路运输条例第十条怎么办？", "文件库中没有《河南省道路运输条例》。"),
    ("根据中华人民共和国劳动合同法，试用期最长多久？", "文件库中没有《中华人民共和国劳动合同法》。"),
    ("许政办〔2024〕3号四（七）讲了什么？", "许政办〔2024〕3号 四、 下没有“（七）”（该部分只有（一）至（六））。"),
    ("许政〔2020〕18号附件2是什么？", "许政〔2020〕18号 没有“附件2”（该文件只有一个附件，未编号）。"),
    ("许政〔2024〕8号的附件四是什么？", "许政〔2024〕8号 没有“附件4”（该文件只有附件1至附件3）。"),
    ("许政办〔2024〕3号第四部分第（七）条是什么？", "许政办〔2024〕3号 四、 下没有“（七）”（该部分只有（一）至（六））。"),
    # 第（四）项 after a part is its sub-part, 第9条 the item under it
    ("许政〔2020〕8号第三部分第（四）项第9条怎么说？", "许政〔2020〕8号 三、（四） 下没有“9.”（该部分只有1.至5.）。"),
    ("《低收入人口动态监测实施意见》第六部分讲什么？",
     "《许昌市人民政府办公室关于加强低收入人口动态监测全面构建分层分类社会救助体系的实施意见》没有“六、”（该文件只有一、至五、）。"),
    # its items run 1. to 29. across its seven parts
    ("许政办〔2024〕4号第30条讲的是什么？", "许政办〔2024〕4号 没有第30项（该文件的编号项为1.至29.）。"),
    # the same document by its name alone (若干措施 names a document), typed without its “”
    ("攻坚二季度确保双过半若干措施 第30条 说的什么",
     "《许昌市人民政府办公室关于印发攻坚二季度确保“双过半”若干措施的通知》没有第30项（该文件的编号项为1.至29.）。"),
    # a 文号 in brackets after its title, then the part
    ("养老服务体系实施方案（许政〔2020〕12号）二（七）讲的是啥", "许政〔2020〕12号 二、 下没有“（七）”（该部分只有（一）至（六））。"),
    # documents the library's own text cites in 《》 but does not hold, named without 《》, whatever their kind
    ("许昌市生活垃圾分类管理办法里厨余垃圾怎么分？", "文件库中没有《许昌市生活垃圾分类管理办法》。"),
    ("社区卫生服务中心建设标准对面积有啥要求？", "文件库中没有《社区卫生服务中心建设标准》。"),
    ("新时代公民道德建设实施纲要讲了什么", "文件库中没有《新时代公民道德建设实施纲要》。"),
    # the library's 许昌 plan on the same subject is not another city's plan
    ("平顶山市推动大规模设备更新和消费品以旧换新行动方案 对家电以旧换新怎么补贴？",
     "文件库中没有《平顶山市推动大规模设备更新和消费品以旧换新行动方案》。"),
    # a document of parts has no articles: its 「第三条第五款」 is the item 三、（五）
    ("许政〔2024〕15号第三条第五款划的是几级土地？", "许政〔2024〕15号 三、 下没有“（五）”（该部分只有（一）至（四））。"),
    # its items restart in each of its eight parts: 第九点 counts the parts
    ("许政办〔2024〕5号第九点讲的中医药考核办法是什么？", "许政办〔2024〕5号 没有“九、”（该文件只有一、至八、）。"),
    # its boxes stand inside parts 三、（四） and 三、（七）
    ("许政〔2024〕12号 专栏9 讲什么？", "许政〔2024〕12号 没有“专栏9”（该文件的专栏为专栏1至专栏2）。"),
    ("许政〔2024〕十七号是关于什么的？有没有讲企业用工补贴？", "文件库中没有许政〔2024〕17号。"),  # a number in words
    ("许政〔2024〕12号之一改了哪些发展目标？", "文件库中没有许政〔2024〕12号之一。"),  # another document than 12号
    ("许政办〔2024〕5号第二章讲的是中医药人才吗？", "许政办〔2024〕5号 没有“第二章”。"),  # it has no chapters
    # a local rule or plan by its title, without 《》 or 关于; the library's plan is for 2020—2022
    ("许昌市中心城区既有住宅加装电梯暂行办法里，每部电梯补多少钱？", "文件库中没有《许昌市中心城区既有住宅加装电梯暂行办法》。"),
    ("许昌市推动制造业高质量发展行动方案（2021—2023年）提出的重点工程是哪些？",
     "文件库中没有《许昌市推动制造业高质量发展行动方案（2021—2023年）》。"),
    # another city's government is not the library's 市政府
    ("郑州市政府2024年第8号文件的取暖补贴标准是多少？", "文件库中没有郑州市政府〔2024〕8号。"),
    # a rule by its title alone, a title without its issuing body, in brackets after a 文号, 若干意见
    ("社会救助暂行办法里特困人员怎么认定？", "文件库中没有《社会救助暂行办法》。"),
    ("关于进一步加强城市管理工作的实施意见里面有什么", "文件库中没有《关于进一步加强城市管理工作的实施意见》。"),
    ("许政办〔2024〕3号（关于加快发展养老服务业的意见）主要内容", "文件库中没有《关于加快发展养老服务业的意见》。"),
    ("市政府关于促进民营经济发展的若干意见有哪些措施", "文件库中没有《市政府关于促进民营经济发展的若干意见》。"),
    ("许昌市2023年国民经济和社会发展规划里GDP目标是多少", "文件库中没有《许昌市2023年国民经济和社会发展规划》。"),
    # the segmenter reads 许 as a word of its own (少许): the library's prefixes start with it
    ("许环攻坚办〔2019〕130号对大气污染防治有什么要求？", "文件库中没有许环攻坚办〔2019〕130号。"),
    ("请问许办〔2023〕12号讲什么", "文件库中没有许办〔2023〕12号。"),
    ("许政〔2020〕17号的第3个附件是什么", "许政〔2020〕17号 没有“附件3”。"),
    # a year's 统计公报 is a document kind (the library holds none)
    ("许昌市2023年国民经济和社会发展统计公报里GDP多少？", "文件库中没有《许昌市2023年国民经济和社会发展统计公报》。"),
    # a title the documents cite, without the period it ends with in brackets
    ("河南省中长期天然气管网规划纲要对许昌有什么要求", "文件库中没有《河南省中长期天然气管网规划纲要（2020-2035）》。"),
    # a title the library holds, without 《》, and a part it lacks
    ("许昌市推动大规模设备更新和消费品以旧换新行动方案第九部分讲什么",
     "《许昌市人民政府关于印发许昌市推动大规模设备更新和消费品以旧换新行动方案的通知》没有“九、”（该文件只有一、至六、）。"),
])
def test_a_part_or_title_the_library_lacks_is_said_first(answerer, question, first_line):
    answer = answerer.run(question)
    assert answer.answer.splitlines()[:2] == [first_line, CLOSEST]
    assert answer.refused and answer.citations == []


@pytest.mark.parametrize("question", [
    "许政办〔２０２４〕３号 四、（四）1. 照料护理标准是多少？",  # an input method's full-width digits
    "许政办〔2024〕3号第四部分第四条第1项照料护理标准是多少？",  # the levels by name: 部分 四、, 条 （四）, 项 1.
    "许政办[2024]3号文件里的四、（四）1.照料护理标准是多少？",
    "2024年许政办3号文件四（四）1照料护理标准是多少？",
    "许政办〔2024〕第003号 四、（四）1. 照料护理标准是多少？",  # leading zeros
    "市政府办公室24年3号文 四、（四）1. 照料护理标准是多少？",  # the issuer in words, the year in two digits
    "许昌市人民政府办公室2024年3号文件四（四）1照料护理标准是多少？",
])
def test_a_clause_named_as_people_write_it_is_that_clause(answerer, question):
    answer = answerer.run(question)
    assert (answer.citations[0].doc_number, answer.citations[0].clause_path) == ("许政办〔2024〕3号", "四、（四）1.")
    assert "1/10" in answer.answer.splitlines()[0]


def test_a_sub_clause_the_part_does_not_have_names_the_part_and_its_sub_clauses(answerer):
    answer = answerer.run("许政办〔2024〕3号 四、（九）怎么规定的？")
    assert answer.answer.splitlines()[0] == "许政办〔2024〕3号 四、 下没有“（九）”（该部分只有（一）至（六））。"


def test_every_part_of_a_question_naming_a_clause_is_answered_from_that_clause(answerer):
    answer = answerer.run("许政〔2020〕8号 三、（三）4. 低压有电网配套工程项目时限是多少？牵头单位是谁？")
    assert not answer.refused and answer.unanswered_parts == []
    assert {(c.doc_number, c.clause_path) for c in answer.citations} == {("许政〔2020〕8号", "三、（三）4.")}
    first, second = answer.answer.splitlines()[:2]
    assert "低压有电网配套工程项目不超过**7个工作日**" in first
    assert "不超过20个工作日" in first  # the high-voltage limit, not asked: not in bold
    assert second.startswith("2. 牵头单位：**市供电公司**。")
    assert "市委宣传部" not in answer.answer


def test_a_named_clause_that_does_not_state_the_fact_says_so_instead_of_borrowing_another(answerer):
    answer = answerer.run("许政办〔2024〕3号 四、（四）1. 的申请电话是多少？")
    assert answer.refused and answer.citations == []
    assert "许政办〔2024〕3号 四、（四）1. 没有写明联系电话。" in answer.answer


def test_a_title_abbreviated_in_brackets_names_the_library_document(answerer):
    answer = answerer.run("《低收入人口动态监测实施意见》四、（四）1. 的照料护理标准是多少？")
    assert not answer.refused
    assert (answer.citations[0].doc_number, answer.citations[0].clause_path) == ("许政办〔2024〕3号", "四、（四）1.")


def test_a_publication_in_brackets_is_not_taken_for_a_missing_document(answerer):
    answer = answerer.run("《许昌市人民政府公报》里特困人员的照料护理标准是多少？")
    assert not answer.refused
    assert answer.citations[0].clause_path == "四、（四）1."


def test_a_library_title_written_without_brackets_or_a_topic_is_not_taken_for_a_missing_document(answerer):
    shelf = answerer.shelf
    library_title = "许昌市人民政府办公室关于加强低收入人口动态监测全面构建分层分类社会救助体系的实施意见"
    assert named_references(f"{library_title}里特困人员的照料护理标准是多少？", shelf) == []
    assert named_references("市政府关于加强低收入人口动态监测的实施意见有哪些措施？", shelf) == []  # its words, in order
    assert named_references("有关于民宿的规定吗？", shelf) == []  # no issuing body: a topic
    assert named_references("这个办法规定的补贴标准是多少？", shelf) == []  # 办法, 依法: ordinary words
    assert named_references("依法应当怎么处理？", shelf) == []
    assert named_references("2024年3月3号发的补贴什么时候到账？", shelf) == []  # a date, not a 文号
    assert named_references("2024年底前完成3号任务了吗？", shelf) == []


@pytest.mark.parametrize(("question", "clause_path", "first_line"), [
    # a box named without the part it stands in
    ("许政〔2024〕12号 专栏1 里先进制造业重点项目安排了多少个？", "三、（四）专栏1", "着力实施**233个**先进制造业重点项目"),
    # a part's item in Arabic figures is the numbered item, as the document numbers it
    ("许政办〔2024〕4号 第六部分第22条的责任单位是哪两个？", "六、22.", "责任单位：**市工业和信息化局、市财政局**。 [1]"),
    # a document of parts 一、 to 四、 has no articles: its 「第三条」 is part 三、
    ("许政〔2024〕15号 第三条 讲的是什么？", "三、", "三、等级划分，包括4项：（一）一级土地；"),
    ("许政〔2024〕15号 第三条第（二）款划的是几级土地？", "三、（二）", "**二级**土地："),
])
def test_a_clause_named_without_every_level_above_it_is_that_clause(answerer, question, clause_path, first_line):
    answer = answerer.run(question)
    assert [(c.doc_number, c.clause_path) for c in answer.citations] == [(question.split(" ")[0], clause_path)]
    assert answer.answer.startswith(first_line)


def test_missing_path_is_empty_for_a_clause_or_a_parent_the_document_has():
    paths = ("一、（一）", "一、（二）1.", "一、（二）2.", "二、（一）")
    assert missing_path("豫政〔2024〕1号", "一、（二）", paths) == ""
    assert missing_path("豫政〔2024〕1号", "一、（二）3.", paths) == "豫政〔2024〕1号 一、（二） 下没有“3.”（该部分只有1.至2.）。"
    assert missing_path("《某条例》", "第九条", ("第一条", "第二条")) == "《某条例》没有“第九条”（该文件只有第一条至第二条）。"


def test_a_paragraph_of_a_regulations_article_is_that_article():
    shelf = Shelf({"豫政〔2024〕1号": ("第一条", "第三条")}, {"豫政〔2024〕1号": "某条例"}, frozenset())
    [reference] = named_references("豫政〔2024〕1号第三条第二款怎么规定？", shelf)
    assert (reference.clause_path, reference.problem) == ("第三条", "")


def test_references_read_the_question_not_the_words_before_the_number():
    shelf = Shelf({"郑政办〔2024〕1号": ("一、",)}, {"郑政办〔2024〕1号": "郑州市…意见"}, frozenset())
    [reference] = named_references("根据郑政办〔2024〕2号，补贴多少？", shelf)
    assert (reference.doc_number, reference.problem) == ("郑政办〔2024〕2号", "文件库中没有郑政办〔2024〕2号。")


def test_a_chapter_is_said_missing_only_from_a_document_without_it():
    shelf = Shelf({"豫政〔2024〕1号": ("第一条", "第九条"), "豫政〔2024〕2号": ("一、",)},
                  {"豫政〔2024〕1号": "某条例", "豫政〔2024〕2号": "某意见"}, frozenset(),
                  divisions={"豫政〔2024〕1号": frozenset({"第一章", "第二章"}), "豫政〔2024〕2号": frozenset()})
    [held] = named_references("豫政〔2024〕1号第二章讲什么？", shelf)
    [lacking] = named_references("豫政〔2024〕2号里的第二章讲什么？", shelf)
    assert (held.problem, lacking.problem) == ("", "豫政〔2024〕2号 没有“第二章”。")


def test_the_nth_item_of_a_document_numbered_across_its_parts_is_that_clause(answerer):
    answer = answerer.run("许政办〔2024〕4号的第二十项措施是什么？")
    assert (answer.citations[0].doc_number, answer.citations[0].clause_path) == ("许政办〔2024〕4号", "五、20.")
    assert answer.answer.startswith("提升城市发展能级。")


def test_the_nth_point_of_a_document_whose_items_restart_in_each_part_is_that_part(answerer):
    answer = answerer.run("许政办〔2024〕5号第三点讲的什么？")
    assert answer.answer.startswith("三、加强中西医协同推进，包括2项：1.工作目标；2.重点任务。 [1]")
    assert (answer.citations[0].doc_number, answer.citations[0].clause_path) == ("许政办〔2024〕5号", "三、")


@pytest.mark.parametrize(("question", "first_line", "cited"), [
    ("许政办〔2024〕3号二、（一）规定了什么？",
     "二、（一）低收入人口范围，包括6项：1.最低生活保障对象；2.特困人员；3.防止返贫监测对象；4.最低生活保障边缘家庭成员；"
     "5.刚性支出困难家庭成员；6.其他困难人员。 [1]", "二、（一）"),
    ("许政〔2020〕8号第三部分讲什么？",
     "三、重点任务，包括5项：（一）推进商事登记便利化；（二）提升政务服务水平；（三）加强企业经营要素保障；"
     "（四）降低企业生产经营成本；（五）建设诚信法治环境。 [1]", "三、"),
    # a title with a comma in it is one title, said once
    ("许政〔2024〕9号第二部分讲什么", "二、强化创新引领，塑造新动能新优势，包括3项：（一）建设高端创新平台；"
     "（二）突出企业创新主体地位；（三）构建一流创新生态。 [1]", "二、"),
    ("许政办〔2024〕3号讲的是什么", "该文件分5个部分：一、总体要求；二、精准认定低收入人口；三、建立完善低收入人口动态监测机制；"
     "四、做好分层分类社会救助工作；五、保障措施。 [1]", ""),
])
def test_a_named_part_asked_what_it_holds_is_answered_with_its_sections(answerer, question, first_line, cited):
    """Nothing asked besides the part: its sections answer, not one sentence picked from one of them."""
    answer = answerer.run(question)
    assert answer.answer.splitlines()[0] == first_line
    assert [c.clause_path for c in answer.citations] == [cited]
    assert answer.citations[0].chunk_id in {h.chunk_id for h in answer.hits}  # the page opens it from the hits


def test_a_clause_named_by_part_sub_part_and_item_in_words_is_that_clause(answerer):
    answer = answerer.run("许政〔2020〕8号第三部分第（四）项第2条怎么说？")
    assert [(c.doc_number, c.clause_path) for c in answer.citations] == [("许政〔2020〕8号", "三、（四）2.")]
    assert answer.answer.startswith("全面提升办税服务水平。积极拓展“非接触式”办税缴费")


def test_a_named_clause_without_sections_asked_what_it_holds_is_quoted_in_its_own_order(answerer):
    """Its last sentence (探访) happened to be closest to 「规定了什么」; the reader gets the clause from its start,
    every sentence once."""
    answer = answerer.run("许政办〔2024〕3号 四、（四）1. 规定了什么？")
    lines = answer.answer.splitlines()
    assert lines[0] == ("特困人员照料护理。加强特困人员的照料护理，及时足额发放照料护理费。"
                        "照料护理费用可由县级民政部门统筹用于购买特困人员照料护理服务。 [1]")
    assert lines[1] == ("照料护理标准依据特困人员生活自理能力和服务需求分档制定，分为全自理标准、半自理标准和全护理标准三档，"
                        "分别为不低于当地上年度最低工资标准1/10、1/6、1/3。严格落实定期探访制度，明确乡镇（街道）、村（社区）"
                        "探访责任人，定期开展探访。")
    assert [(c.doc_number, c.clause_path) for c in answer.citations] == [("许政办〔2024〕3号", "四、（四）1.")]


def test_a_named_part_asked_about_something_in_it_is_answered_from_its_clauses(answerer):
    answer = answerer.run("许政办〔2024〕3号二、（一）里特困人员的条件是什么？")
    assert [(c.doc_number, c.clause_path) for c in answer.citations] == [("许政办〔2024〕3号", "二、（一）2.")]
    assert "包括6项" not in answer.answer


def test_a_named_part_asked_for_a_kind_of_fact_is_not_outlined(answerer):
    """「由谁负责」 asks for a 责任单位, which the part's clauses state: no list of its sections instead."""
    answer = answerer.run("许政〔2020〕8号三、（五）1.由谁负责？")
    assert answer.answer.splitlines()[0] == "牵头单位：**市发改委、市商务局**。 [1]"


def test_who_is_responsible_for_a_named_part_is_answered_section_by_section(answerer):
    """One section's 责任单位 are not the part's: each of （五）'s 11 sections is given with its own."""
    answer = answerer.run("许政〔2020〕8号 三、（五）由谁负责？")
    assert answer.answer.splitlines()[0] == (
        "三、（五）建设诚信法治环境，各项的责任单位：1.全面落实“非禁即入”的市场准入制度：市发改委、市商务局；"
        "2.全面实施公平竞争审查制度：市市场监督管理局；3.加强知识产权保护：市市场监督管理局；4.严格兑现招商承诺：市商务局；"
        "5.落实企业破产办理资金保障：市中级人民法院；6.全面推广市场主体信用承诺制度：市行政服务中心；"
        "7.深入开展公共信用综合评价：市发改委；8.积极营造良好的金融生态环境：市金融工作局；"
        "9.严厉打击破坏营商环境犯罪行为：市公安局；10.建立企业家参与涉企政策制定制度：市发改委；"
        "11.建立营商环境投诉举报平台：市政府办公室。 [1]")
    assert [c.clause_path for c in answer.citations] == ["三、（五）"]


def test_the_number_of_a_named_document_is_no_figure_the_question_gave(answerer):
    """「3个工作日」 answers although 3 is in 「许政办〔2024〕3号」: a 文号 is not a figure the person already knows."""
    answer = answerer.run("许政办〔2024〕3号 二、（二）中刚性支出困难家庭不予认定要几天告知？")
    assert answer.answer.splitlines()[0] == "不予认定的，应当自作出决定**3个工作日**内，书面告知申请人或其代理人并说明理由。 [1]"
    assert [c.clause_path for c in answer.citations] == ["二、（二）2."]


def test_a_partly_answered_question_of_who_is_responsible_names_the_units_once(answerer):
    answer = answerer.run("许政〔2020〕8号 三、（四）3.乱收费用电找谁管")
    assert answer.answer.splitlines()[:2] == [
        "◐ 文件没有写“用电”；最接近的规定是：牵头单位：市市场监督管理局、市人力资源和社会保障局、许昌银保监分局。"
        "治理违规涉企收费，严肃查处供电、供热、供气、供水等公共事业、垄断行业向市场主体乱收费行为。 [1]", "依据："]


@pytest.mark.parametrize("question", ["许政〔2024〕88号讲了什么？", "许政〔2020〕99号 三、（二）由谁负责？"])
def test_a_missing_document_asked_about_nothing_else_shows_no_clause_matched_on_its_number(answerer, question):
    """Item 88. of another document is closest to nothing: no clause is shown and no unit of one is suggested."""
    answer = answerer.run(question)
    assert answer.answer.splitlines()[1:] == ["请核对文号和条款是否写对，也可拨打12345政务服务热线咨询。"]
    assert answer.refused and answer.citations == [] and answer.related == []


def test_a_named_parts_title_sentence_is_not_printed_again_under_its_sections(answerer):
    answer = answerer.run("许政〔2024〕9号 三、（四）讲什么")
    lines = answer.answer.splitlines()
    assert lines[0].startswith("三、（四）扩大有效益的投资，包括6项：9.持续开展重要项目集中攻坚；") and lines[1] == "依据："


def test_a_question_word_the_segmenter_joins_to_a_held_prefix_does_not_make_it_another_document(answerer):
    # jieba reads 「100项是许政」 as 100 / 项是 / 许政: the 文号 named is the library's 许政〔2024〕9号
    answer = answerer.run("100项是许政〔2024〕9号里的吗？讲的是不是分层分类社会救助？")
    assert not answer.answer.startswith("文件库中没有")
    assert answer.citations[0].doc_number == "许政〔2024〕9号"


@pytest.mark.parametrize("question", [
    "许昌市推动制造业高质量发展行动方案（2020—2022年）里对企业上云有什么目标？",
    "许昌市推动制造业高质量发展行动方案里对企业上云有什么目标？",
    "许昌市养老服务有哪些规定？",  # a topic, not a title
    "有关于民宿的规定吗？",
    "关于科技创新奖励的决定里，一等奖奖多少？",  # the held title without its issuer
    "许昌市2024年国民经济和社会发展规划里GDP目标是多少？",
    # words of the question around a held title, or 办法/条例/关于…的通知 as words of the question
    "许昌市有中医药传承创新发展实施方案吗？",
    "今年许昌市2024年国民经济和社会发展规划里说了什么",
    "许昌市对养犬有管理办法吗？",
    "为了节省开支公司调整了管理办法，我怎么办？",
    "企业没有办法对员工补缴社保怎么办？",
    "物业费收费办法中规定的标准是多少",
    "依照国家有关条例规定，企业要做什么",
    "我收到了关于补缴社保的通知，该怎么办？",
    "关于印发《许昌市中医药传承创新发展实施方案》的通知里说了什么",
    # titles the documents cite: 许政〔2024〕9号 holds 政府工作报告 in its title; a play the news cites is no document
    "政府工作报告里说今年GDP增长多少",
    "曹操与蓝莺儿是什么戏",
    # a province before the held title's city; 若干措施 after words of the question
    "河南省许昌市健全完善养老服务体系实施方案里对养老床位怎么规定",
    "今年二季度出台了若干措施里对消费券有什么规定",
    # a held title cited as the source, held titles named loosely after 根据/依照, and words after 根据 that name
    # no document (a second read of 83b0ab8, which read what follows 根据 as a title: each was said missing)
    "按照许昌市推动大规模设备更新和消费品以旧换新行动方案，企业换设备有什么支持？",
    "根据家庭收入情况，能申请哪些救助？",
    "根据相关规定，低保多久复核一次",
    "依据许政〔2024〕13号关于科技创新奖励的通知，哪些企业获奖？",
    "依照许昌市城镇土地使用税税额标准调整办法，一级土地多少钱？",
    "按照关于健全养老服务体系的实施方案，养老床位有什么要求？",
    "依据国务院条例，特困人员怎么认定？",
    "根据优化营商环境条例，企业开办几天？",
    # 许政〔2024〕9号 divides the 政府工作报告's tasks, its targets included
    "许昌市2024年政府工作报告里经济增长目标是多少？",
    # a held title named loosely after its place (and year)
    "许昌市推进乡村振兴行动方案里对农村改厕怎么规定？",
    "许昌市2024年国民经济发展实施方案里GDP目标多少？",
])
def test_a_title_the_library_holds_or_a_topic_is_not_said_missing(answerer, question):
    assert not answerer.run(question).answer.startswith("文件库中没有")


@pytest.mark.parametrize("question", ["许政〔2024〕11号 第十五条讲的啥", "许政〔2024〕11号第十五项讲什么",
                                      "《许昌市推动大规模设备更新和消费品以旧换新行动方案》第十五项讲什么"])
def test_an_article_of_a_document_numbering_its_sub_parts_through_its_parts_is_that_sub_part(answerer, question):
    # 许政〔2024〕11号 has parts 一、 to 六、 and sub-parts （一） to （十五） running through them
    answer = answerer.run(question)
    assert (answer.citations[0].doc_number, answer.citations[0].clause_path) == ("许政〔2024〕11号", "六、（十五）")


@pytest.mark.parametrize(("question", "first_line"), [
    ("许政〔2024〕9号第200项是什么", "许政〔2024〕9号 没有第200项（该文件的编号项为1.至116.）。"),
    ("许政办〔2024〕5号第120点讲什么", "许政办〔2024〕5号 没有第120项。"),  # its items restart in each part
    ("许政〔2024〕8号第150项是什么", "许政〔2024〕8号 没有第150项。"),  # it has no numbered items
])
def test_an_item_number_past_ninety_nine_is_said_missing_without_error(answerer, question, first_line):
    assert answerer.run(question).answer.splitlines()[0] == first_line


def test_an_item_beyond_a_through_numbered_documents_last_sub_part_names_its_sub_parts(answerer):
    answer = answerer.run("许政〔2024〕11号第二十项讲什么")
    assert answer.answer.splitlines()[0] == "许政〔2024〕11号 没有“（二十）”（该文件的各部分依次为（一）至（十五））。"


def test_a_part_of_a_title_named_without_brackets_is_that_part(answerer):
    answer = answerer.run("许昌市推动大规模设备更新和消费品以旧换新行动方案第五部分讲什么")
    assert answer.citations[0].doc_number == "许政〔2024〕11号"
    assert answer.citations[0].clause_path.startswith("五、")


@pytest.mark.parametrize("question", ["2022年版道路运输条例第七十四条规定的是什么？", "旧版道路运输条例第七十四条规定的是什么？",
                                      "2017年修正版的道路运输条例第七十四条规定的是什么？",
                                      "现行的道路运输条例第七十四条规定的是什么？", "修订后的道路运输条例第七十四条规定的是什么？"])
def test_a_version_said_before_a_regulations_name_is_no_word_of_it(question):
    """「2022年版」 chooses among the versions; 「版道路运输条例」 is no document to say missing."""
    shelf = Shelf({"中华人民共和国道路运输条例": ("第七十三条", "第七十四条")}, {}, frozenset())
    [reference] = named_references(question, shelf)
    assert (reference.doc_title, reference.clause_path, reference.problem) == ("中华人民共和国道路运输条例", "第七十四条", "")


def test_a_laws_article_in_arabic_figures_is_that_article_or_said_missing():
    shelf = Shelf({"嘉兴市养犬管理条例": ("第一条", "第二条")}, {}, frozenset())
    [held] = named_references("嘉兴市养犬管理条例第2条规定了什么", shelf)
    [lacking] = named_references("嘉兴市养犬管理条例第50条规定了什么", shelf)
    assert (held.clause_path, held.problem) == ("第二条", "")
    assert lacking.problem == "《嘉兴市养犬管理条例》没有“第五十条”（该文件只有第一条至第二条）。"


@pytest.mark.parametrize("question", ["2023年修订版济宁市文明行为促进条例第九条怎么规定",
                                      "济宁市文明行为促进条例2023年修订后，在商场抽烟罚多少",
                                      "2023年修订的《济宁市文明行为促进条例》里说了什么",
                                      "2023年修正的济宁市文明行为促进条例第九条怎么规定"])
def test_a_revision_year_no_held_version_has_is_said_first_with_the_versions_held(question):
    """A regulation held in its 2019 version only: 「2023年修订版」 asks for a text the library does not have."""
    shelf = Shelf({"济宁市文明行为促进条例": ("第九条", "第十条")}, {}, frozenset(),
                  dates={"济宁市文明行为促进条例": (20190729,)})
    assert [r.problem for r in named_references(question, shelf)][-1] == (
        "文件库中的《济宁市文明行为促进条例》没有2023年修订的版本（只有2019年7月29日的版本）。")


@pytest.mark.parametrize("question", ["2019年版济宁市文明行为促进条例第九条怎么规定", "2024年济宁市文明行为促进条例第九条怎么规定",
                                      "济宁市文明行为促进条例2019年修订后，在商场抽烟罚多少",
                                      # 2023年版: the version in force in 2023, which is the 2019 text
                                      "2023年版的《济宁市文明行为促进条例》里说了什么"])
def test_a_held_versions_year_or_a_year_in_force_is_not_said_missing(question):
    shelf = Shelf({"济宁市文明行为促进条例": ("第九条", "第十条")}, {}, frozenset(),
                  dates={"济宁市文明行为促进条例": (20190729,)})
    assert [r.problem for r in named_references(question, shelf) if r.problem] == []
