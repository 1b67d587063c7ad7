"""The newspaper parser on the real front pages and the dated inside page."""

from tests.helpers import NEWS_2022_09_27, NEWS_2023_04, NEWS_2023_08, parsed


def test_pages_yield_their_articles():
    assert len(parsed(NEWS_2023_04)) >= 5
    assert len(parsed(NEWS_2023_08)) >= 5
    assert len(parsed(NEWS_2022_09_27)) >= 3


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


def test_only_a_printed_date_is_recorded():
    assert {d.date for d in parsed(NEWS_2022_09_27)} == {20220927}
    assert {d.date for d in parsed(NEWS_2023_04)} == {None}
    assert {d.date for d in parsed(NEWS_2023_08)} == {None}


def test_articles_are_normalized_and_lose_continuation_marks():
    lead = parsed(NEWS_2023_04)[0].clauses[0].text
    assert "提振地方经济硬实力" in lead
    assert "下转第二版" not in lead
