"""The gazette parser on the real corpus files: documents, titles, pages, clauses, units, coverage."""

from collections import Counter
from pathlib import Path

from rag.documents.clauses import units_word
from rag.documents.normalize import cjk_chars, compact, normalize_line
from rag.index.chunk import chunk_document
from tests.helpers import GAZETTE_2020, GAZETTE_2024, clause_text, document, parsed

TOC_2024 = [
    ("许政〔2024〕8号", 1, "许昌市人民政府关于公布许昌市中心城区城镇土地级别与基准地价更新调整成果的通知"),
    ("许政〔2024〕9号", 5, "许昌市人民政府关于明确政府工作报告提出的2024年重点工作责任单位的通知"),
    ("许政〔2024〕10号", 20, "许昌市人民政府关于表扬我市在杭州亚运会河南省第十四届运动会上作出突出贡献先进集体和先进个人的通报"),
    ("许政〔2024〕11号", 25, "许昌市人民政府关于印发许昌市推动大规模设备更新和消费品以旧换新行动方案的通知"),
    ("许政〔2024〕12号", 33, "许昌市人民政府关于印发许昌市2024年国民经济和社会发展规划的通知"),
    ("许政〔2024〕13号", 43, "许昌市人民政府关于科技创新奖励的决定"),
    ("许政〔2024〕14号", 57, "许昌市人民政府关于奖励2023年度制造业高质量发展作出突出贡献企业的决定"),
    ("许政〔2024〕15号", 70, "许昌市人民政府关于调整市区城镇土地使用税土地等级及税额标准的通知"),
    ("许政办〔2024〕3号", 72, "许昌市人民政府办公室关于加强低收入人口动态监测全面构建分层分类社会救助体系的实施意见"),
    ("许政办〔2024〕4号", 79, "许昌市人民政府办公室关于印发攻坚二季度确保“双过半”若干措施的通知"),
    ("许政办〔2024〕5号", 85, "许昌市人民政府办公室关于印发许昌市中医药传承创新发展实施方案的通知"),
]
PAGES_2020 = [1, 8, 15, 24, 39, 46, 50, 58, 68, 74, 83, 91]


def test_2024_issue_has_its_eleven_documents_with_toc_titles_and_pages():
    got = [(d.doc_number, d.page, d.title) for d in parsed(GAZETTE_2024)]
    assert got == TOC_2024


def test_2020_issue_has_twelve_documents_numbered_7_to_18():
    documents = parsed(GAZETTE_2020)
    assert [d.doc_number for d in documents] == [f"许政〔2020〕{n}号" for n in range(7, 19)]
    assert [d.page for d in documents] == PAGES_2020
    assert documents[-1].title == "许昌市人民政府关于印发许昌市加快科技创新推进“智造之都、宜居之城”建设实施方案（2020—2022年）的通知"


def test_heading_that_drops_a_word_takes_the_toc_title():
    plan = document("许政〔2024〕12号")
    assert plan.printed_title == "许昌市人民政府关于印发许昌市2024年国民经济和社会发展的通知"
    assert plan.title == "许昌市人民政府关于印发许昌市2024年国民经济和社会发展规划的通知"


def test_issuer_signing_date_and_annexes():
    notice = document("许政〔2024〕8号")
    assert notice.issuer == "许昌市人民政府"
    assert notice.date == 20240411
    assert notice.annexes == ["许昌市中心城区各类用地出让基准地价", "许昌市中心城区各类用地划拨基准地价",
                              "许昌市中心城区国有土地收益租金标准"]
    assert [c.clause_path for c in notice.clauses] == ["", "附件1", "附件2", "附件3"]
    assert document("许政办〔2024〕3号").issuer == "许昌市人民政府办公室"
    assert document("许政办〔2024〕3号").date == 20240430
    assert document("许政〔2024〕11号").date == 20240510  # printed as "2024 年 5 月 10 日"


def test_care_standards_and_rigid_expenditure_clauses():
    care = clause_text("许政办〔2024〕3号", "四、（四）1.")
    assert care.startswith("1.特困人员照料护理。")
    assert "1/10、1/6、1/3" in care
    rigid = clause_text("许政办〔2024〕3号", "二、（一）5.")
    assert "刚性支出困难家庭成员" in rigid and "50%" in rigid


def test_responsible_units_attach_to_their_clause():
    task_one = [c for c in document("许政〔2024〕9号").clauses if c.clause_path == "一、1."][0]
    assert task_one.responsible_units[:2] == ["市发展和改革委员会", "市工业和信息化局"]
    assert "各县（市、区）政府（管委会）" in task_one.responsible_units
    complaint = [c for c in document("许政〔2020〕8号").clauses if "5个工作日内予以答复" in c.text]
    assert [(c.clause_path, c.responsible_units) for c in complaint] == [("三、（五）11.", ["市政府办公室"])]
    care = [c for c in document("许政办〔2024〕3号").clauses if c.clause_path == "四、（四）1."][0]
    assert care.responsible_units == ["市民政局", "市财政局"]


def test_units_are_named_with_the_clauses_own_word():
    """A 牵头单位 is told as such (许政〔2020〕8号 writes （牵头单位：…））; 许政〔2024〕9号 writes 责任单位：…, and a
    clause that only says 「…按职责分工负责」 has 责任单位 as the general word."""
    power = [c for c in document("许政〔2020〕8号").clauses if c.clause_path == "三、（三）4."][0]
    task_one = [c for c in document("许政〔2024〕9号").clauses if c.clause_path == "一、1."][0]
    care = [c for c in document("许政办〔2024〕3号").clauses if c.clause_path == "四、（四）1."][0]
    assert [units_word(c.text) for c in (power, task_one, care)] == ["牵头单位", "责任单位", "责任单位"]
    assert power.responsible_units == ["市供电公司"]
    # a long clause is indexed in parts: its units are named by the whole clause's word, not a part's. 二、（一）4.
    # lists a 牵头单位 in one part and 责任单位 in the other, and its units are both lists: 责任单位 in each part
    parts = [c for c in chunk_document(document("许政〔2020〕10号")) if c.metadata.clause_path == "二、（一）4."]
    assert [units_word(c.text) for c in parts] == ["牵头单位", "责任单位"]
    assert [c.metadata.units_named_as for c in parts] == ["责任单位", "责任单位"]


def test_numbering_continues_across_parents_and_restarts_where_printed():
    tasks = [c.clause_path for c in document("许政〔2024〕9号").clauses]
    assert tasks[:6] == ["", "一、", "一、1.", "二、", "二、（一）", "二、（一）2."]
    assert tasks[-1] == "九、（二十七）116."  # three-digit task numbers
    assert sum(p.endswith(".") for p in tasks) == 116
    relief = [c.clause_path for c in document("许政办〔2024〕3号").clauses]
    assert "四、（一）1." in relief and "四、（二）1." in relief and "四、（六）4." in relief
    industry = [c.clause_path for c in document("许政〔2020〕14号").clauses]
    assert "二、（一）1.（4）" in industry and "二、（一）2.（1）" in industry


def test_numbers_inside_sentences_are_not_headings():
    fringe = clause_text("许政办〔2024〕3号", "二、（一）4.")
    assert "1.5倍" in fringe
    # a page break cut these sentences; the rest belongs to the clause above
    assert "进一步完善路网布局" in clause_text("许政〔2020〕10号", "二、（二）1.")
    assert clause_text("许政办〔2024〕3号", "二、（二）3.").endswith("后于3个工作日内予以认定。")
    paths = {c.clause_path for d in parsed(GAZETTE_2024) + parsed(GAZETTE_2020) for c in d.clauses}
    assert not any(p.endswith(("2024.", "1.5", "3.")) and "（" not in p and "、" not in p for p in paths)


def test_heading_and_body_on_one_line():
    clause = [c for c in document("许政办〔2024〕3号").clauses if c.clause_path == "五、（一）"][0]
    assert clause.heading == "（一）加强组织领导"
    assert clause.parents == ["五、保障措施"]


def test_columns_and_tables_keep_their_header_row():
    plan = document("许政〔2024〕12号")
    assert [c.clause_path for c in plan.clauses if "专栏" in c.clause_path] == ["三、（四）专栏1", "三、（七）专栏2"]
    table = [c for c in document("许政〔2020〕18号").clauses if c.clause_path == "附件"][0]
    assert table.table_header == "序号\t工作重点\t工作目标\t重点任务\t牵头单位\t责任主体"


def test_no_text_is_lost_or_duplicated(capsys):
    for path in (GAZETTE_2024, GAZETTE_2020):
        documents = parsed(path)
        lines = [normalize_line(line) for line in path.read_text(encoding="utf-8").splitlines()]
        first_title = compact(documents[0].printed_title)
        start = next(i for i, line in enumerate(lines) if i > 20 and line and first_title.startswith(compact(line)))
        printed = Counter(cjk_chars("\n".join(lines[start:])))
        clauses = Counter()
        for doc in documents:
            clauses += Counter(cjk_chars(doc.body_text + doc.printed_title + doc.doc_number))
        lost, duplicated = printed - clauses, clauses - printed
        ratio = (sum(printed.values()) - sum(lost.values())) / sum(printed.values())
        with capsys.disabled():
            print(f"\n{path.name}: {sum(printed.values())} CJK characters, coverage {ratio:.4f}")
        assert sum(lost.values()) == 0, lost.most_common(5)
        assert sum(duplicated.values()) == 0, duplicated.most_common(5)


RADICALS = str.maketrans({"人": "⼈", "民": "⺠", "月": "⽉", "日": "⽇", "一": "⼀", "工": "⼯", "门": "⻔"})


def test_a_gazette_printed_with_radicals_parses_as_the_plain_text_does():
    """A PDF printed by Chromium gives 许昌市⼈⺠政府…, 5⽉10⽇: titles, numbers, dates and clauses are the same."""
    from dataclasses import replace

    from rag.documents.corpus import source_for
    from rag.documents.read import parse_source

    plain = parsed(GAZETTE_2024)
    printed = parse_source(replace(source_for(GAZETTE_2024), kind=""),
                           GAZETTE_2024.read_text(encoding="utf-8").translate(RADICALS))
    assert "许昌市⼈⺠政府" in GAZETTE_2024.read_text(encoding="utf-8").translate(RADICALS)
    assert [(d.title, d.doc_number, d.date, d.page) for d in printed] == [(d.title, d.doc_number, d.date, d.page)
                                                                       for d in plain]
    assert [[(c.clause_path, c.text) for c in d.clauses] for d in printed] == [
        [(c.clause_path, c.text) for c in d.clauses] for d in plain]


def test_a_regulation_printed_with_radicals_is_recognised_as_one():
    from rag.documents.model import Source
    from rag.documents.read import parse_source

    path = Path(__file__).resolve().parent / "data" / "regulations" / "丽水市城市养犬管理规定(2020-08-14).md"
    source = Source(path=path, kind="", publisher="", issue="", date=None, key=path.name)
    [document] = parse_source(source, path.read_text(encoding="utf-8").translate(RADICALS))
    assert (document.source.kind, document.title, document.date, len(document.clauses)) == (
        "regulation", "丽水市城市养犬管理规定", 20200814, 39)


def test_items_numbered_beyond_99_stay_items_of_their_own():
    from rag.documents.model import Source
    from rag.documents.read import parse_source

    items = "\n".join(f"({n})第{n}项事项按规定办理。" for n in range(1, 301))
    text = f"许昌市人民政府关于清单事项的通知\n许政〔2025〕1号\n一、清单事项\n{items}\n许昌市人民政府\n2025年1月2日\n"
    source = Source(path=GAZETTE_2024.parent / "清单.txt", kind="", publisher="", issue="", date=None, key="清单.txt")
    [document] = parse_source(source, text)
    paths = [c.clause_path for c in document.clauses if c.clause_path.startswith("一、（")]
    assert paths == [f"一、（{n}）" for n in range(1, 301)]
    assert [c.text for c in document.clauses if c.clause_path == "一、（100）"] == ["（100）第100项事项按规定办理。"]


def test_a_unit_written_with_hexagonal_brackets_is_kept_whole():
    """「各县〔市、区〕政府〔管委会〕」: the 、 inside 〔〕 does not split it (before: 「区〕政府〔管委会〕」 in 建议咨询)."""
    roads = [c for c in document("许政〔2020〕10号").clauses if c.clause_path == "二、（二）1."]
    units = [u for c in roads for u in c.responsible_units]
    assert "各县〔市、区〕政府〔管委会〕" in units
    assert [u for u in units if u.startswith(("区", "〔")) or u.endswith("〔市")] == []
