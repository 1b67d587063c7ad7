"""What changed between two versions of a regulation, article by article."""

from pathlib import Path

from rag.documents.compare import ADDED, CHANGED, REMOVED, SAME, Article, Segment, compare_versions, marked
from tests.test_catalogue import catalogue_of, chunks_of

REGULATIONS = Path(__file__).resolve().parent / "data" / "regulations"
ROAD = "中华人民共和国道路运输条例"


def test_the_2023_amendment_of_the_road_transport_regulation_article_by_article(tmp_path):
    roads = catalogue_of(chunks_of(tmp_path, *(REGULATIONS / f"道路运输条例({d}).md" for d in ("2022-03-29", "2023-07-20"))))
    assert roads.versions(ROAD) == [20220329, 20230720]
    comparison = compare_versions(roads.articles(ROAD, 20220329), roads.articles(ROAD, 20230720))
    assert [(c.change, c.old and c.old.path, c.new and c.new.path) for c in comparison.changes] == [
        (CHANGED, "第六十三条", "第六十三条"), (CHANGED, "第六十五条", "第六十五条"), (REMOVED, "第六十八条", None),
        (CHANGED, "第六十九条", "第六十八条"), (CHANGED, "第七十一条", "第七十条"), (CHANGED, "第七十五条", "第七十四条")]
    assert (comparison.renumbered, comparison.unchanged) == (12, 65)  # 第七十条 → 第六十九条 … unchanged but renumbered
    fine = comparison.changes[3].segments
    assert [s.text for s in fine if s.change == REMOVED][:2] == ["经营者、货运", "3000"]
    assert [s.text for s in fine if s.change == ADDED][0] == "2000"


def test_a_new_article_unlike_any_old_one_is_added_and_the_words_are_marked_without_the_number():
    old = [Article("第一条", "第一条 为了保障供热，制定本办法。"), Article("第二条", "第二条 补贴每户每年800元。")]
    new = [Article("第一条", "第一条 为了保障供热，制定本办法。"), Article("第二条", "第二条 补贴每户每年1000元。"),
           Article("第三条", "第三条 本办法自2025年1月1日起施行。")]
    comparison = compare_versions(old, new)
    assert [(c.change, c.path) for c in comparison.changes] == [(CHANGED, "第二条"), (ADDED, "第三条")]
    assert comparison.changes[0].segments == marked(old[1].text, new[1].text) == (
        Segment("补贴每户每年", SAME), Segment("800", REMOVED), Segment("1000", ADDED), Segment("元。", SAME))
