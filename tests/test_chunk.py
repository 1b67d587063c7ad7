"""Clauses become chunks that keep their path, breadcrumb, metadata and table header."""

from rag.index.chunk import MAX_CHUNK_CHARS, ClauseMeta, chunk_document
from tests.helpers import GAZETTE_2020, NEWS_2023_08, document, parsed


def _chunks(doc_number):
    return chunk_document(document(doc_number))


def test_a_clause_is_one_chunk_with_breadcrumb_and_metadata():
    care = [c for c in _chunks("许政办〔2024〕3号") if c.clause_path == "四、（四）1."]
    assert len(care) == 1
    chunk = care[0]
    assert chunk.text.startswith("1.特困人员照料护理。")
    assert chunk.embed_text.startswith(
        "许昌市人民政府办公室关于加强低收入人口动态监测全面构建分层分类社会救助体系的实施意见"
        " > 四、做好分层分类社会救助工作 > （四）服务类社会救助 > 1.特困人员照料护理\n1.特困人员照料护理。")
    meta = chunk.metadata
    assert (meta.doc_number, meta.page, meta.date, meta.kind) == ("许政办〔2024〕3号", 72, 20240430, "gazette")
    assert meta.issue == "《许昌市人民政府公报》2024年第2期"
    assert meta.responsible_units == ("市民政局", "市财政局")
    assert meta.parents == ("四、做好分层分类社会救助工作", "（四）服务类社会救助")


def test_clause_metadata_goes_into_chroma_as_flat_scalars_and_comes_back_equal():
    chunks = _chunks("许政办〔2024〕3号") + chunk_document(parsed(NEWS_2023_08)[0])
    for chunk in chunks:
        stored = chunk.metadata.to_store()
        assert all(type(v) in (str, int) for v in stored.values())
        assert "status" not in stored  # worked out from the whole corpus at load, never stored
        assert ClauseMeta.from_store(stored) == chunk.metadata
    care = next(c for c in chunks if c.clause_path == "四、（四）1.").metadata.to_store()
    assert (care["responsible_units"], care["page"], care["is_table"]) == ("市民政局\n市财政局", 72, 0)
    counties = ClauseMeta(source="s.txt", kind="gazette", doc_title="t", responsible_units=("各县（市、区）人民政府", "市财政局"))
    assert ClauseMeta.from_store(counties.to_store()) == counties  # a unit's name may hold 、
    assert chunks[-1].metadata.to_store()["page"] == 0  # a newspaper article has no page: 0 in Chroma, None here


def test_long_clauses_split_at_sentence_ends_and_keep_their_path():
    plan = [c for c in _chunks("许政〔2024〕12号") if c.clause_path == "三、（一）"]
    assert len(plan) > 1
    assert all(len(c.text) <= MAX_CHUNK_CHARS + 200 for c in plan)
    assert all(c.text.endswith(("。", "；")) for c in plan[:-1])
    assert [c.metadata.part for c in plan] == list(range(len(plan)))


def test_short_clauses_stay_whole_and_unmerged():
    headings = [c for c in _chunks("许政办〔2024〕3号") if c.clause_path == "四、（一）"]
    assert [c.text for c in headings] == ["（一）基本生活救助"]


def test_every_table_chunk_carries_the_header_row():
    table = chunk_document(next(d for d in parsed(GAZETTE_2020) if d.doc_number == "许政〔2020〕18号"))
    parts = [c for c in table if c.clause_path == "附件"]
    assert len(parts) > 3
    header = "序号\t工作重点\t工作目标\t重点任务\t牵头单位\t责任主体"
    assert parts[0].text.startswith(f"附件\n许昌市加快科技创新推进“智造之都、宜居之城”建设重点任务一览表\n{header}\n1\t")
    assert all(c.text.startswith(f"{header}\n") for c in parts[1:])
    assert all(c.text.count(header) == 1 for c in parts)


def test_chunk_ids_are_stable_content_hashes():
    first = [c.chunk_id for c in _chunks("许政办〔2024〕3号")]
    again = [c.chunk_id for c in chunk_document(document("许政办〔2024〕3号"))]
    assert first == again and len(set(first)) == len(first)


def test_articles_chunk_with_issue_and_title():
    article = chunk_document(parsed(NEWS_2023_08)[0])
    assert article[0].metadata.doc_title == "何以统揽发展全局?"
    assert article[0].metadata.clause_path == ""
    assert article[0].metadata.date == 20230800  # the manifest gives the month, no day
