"""The HTTP JSON API beside the page (rag.app.api), called with a plain HTTP client against the running app."""

import asyncio

import httpx
import pytest

from rag.app.api import Keys
from rag.app.login import FREE_FAILURES, QUEUE_FULL
from rag.app.pipeline import Pipeline
from tests.fakes import HashingEmbedder, HeldEmbedder
from tests.helpers import make_settings
from tests.ui_server import start_app

KEY = "k3y-for-the-12345-hotline-console"
CARE = "特困人员的照料护理标准是多少？"
CARE_TITLE = "许昌市人民政府办公室关于加强低收入人口动态监测全面构建分层分类社会救助体系的实施意见"
CARE_SENTENCE = ("照料护理标准依据特困人员生活自理能力和服务需求分档制定，分为全自理标准、半自理标准和全护理标准三档，"
                 "分别为不低于当地上年度最低工资标准1/10、1/6、1/3。")
CARE_CLAUSE = ("1.特困人员照料护理。加强特困人员的照料护理，及时足额发放照料护理费。照料护理费用可由县级民政部门统筹用于购买特困人员"
               f"照料护理服务。{CARE_SENTENCE}严格落实定期探访制度，明确乡镇（街道）、村（社区）探访责任人，定期开展探访。"
               "（市民政局、市财政局按职责分工负责）")
CARE_LINK = ("/?doc=%E8%AE%B8%E6%94%BF%E5%8A%9E%E3%80%942024%E3%80%953%E5%8F%B7"
             "&clause=%E5%9B%9B%E3%80%81%EF%BC%88%E5%9B%9B%EF%BC%891.")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(client of the running app, an in-process pipeline over the same index: what `rag ask --json` prints)."""
    root = tmp_path_factory.mktemp("api")
    app, url, _feedback = start_app(root)
    pipeline = Pipeline(make_settings(root, root / "corpus"), embedder=HashingEmbedder())
    with httpx.Client(base_url=url, timeout=60) as client:
        yield client, pipeline
    app.close()


def test_a_cited_answer_is_the_cli_s_answer_json(served):
    client, pipeline = served
    response = client.post("/api/ask", json={"question": CARE})
    body = response.json()
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    assert body == pipeline.answerer.run(CARE).to_json()  # the whole contract, hits included
    assert {key: body[key] for key in ("question", "refused", "citations", "unanswered_parts", "parts")} == {
        "question": CARE, "refused": False,
        "citations": [{"doc_number": "许政办〔2024〕3号", "doc_title": CARE_TITLE, "clause_path": "四、（四）1.",
                       "issue": "《许昌市人民政府公报》2024年第2期", "page": 72, "quote": CARE_SENTENCE,
                       "status": "现行有效", "version_date": 20240430}],
        "unanswered_parts": [],
        "parts": [{"question": CARE, "status": "answered", "answer": CARE_SENTENCE, "support": "", "citations": [1],
                   "missing_terms": []}]}
    assert body["answer"].split("\n")[:4] == [
        f"{CARE_SENTENCE} [1]", "责任单位：市民政局、市财政局。", "依据：",
        f"[1] 《{CARE_TITLE}》（许政办〔2024〕3号）四、（四）1.，载《许昌市人民政府公报》2024年第2期 第72页"]
    assert [(h["doc_number"], h["clause_path"]) for h in body["hits"]][:2] == [
        ("许政办〔2024〕3号", "四、（四）1."), ("许政办〔2024〕3号", "四、（一）2.")]


@pytest.mark.parametrize(("question", "first_line", "part"), [
    ("“许昌惠企贷”能贷多少钱？", "现有文件中没有找到““许昌惠企贷”能贷多少钱”的明确规定。现有文件中没有提到「许昌惠企贷」。",
     "现有文件中没有提到「许昌惠企贷」。"),
    ("许政〔2024〕99号 规定了什么？", "文件库中没有许政〔2024〕99号。", "文件库中没有许政〔2024〕99号。"),
])
def test_a_refusal_and_a_document_not_in_the_library_are_said_in_the_json(served, question, first_line, part):
    client, pipeline = served
    response = client.post("/api/ask", json={"question": question})
    body = response.json()
    assert response.status_code == 200
    assert body == pipeline.answerer.run(question).to_json()
    assert (body["refused"], body["citations"], body["unanswered_parts"]) == (True, [], [question])
    assert body["answer"].split("\n")[0] == first_line
    assert body["parts"] == [{"question": question, "status": "not_found", "answer": part, "support": "",
                              "citations": [], "missing_terms": []}]


def test_a_follow_up_and_filters_are_read_as_the_cli_reads_them(served):
    client, pipeline = served
    from rag.answer import Turn
    from rag.search.retrieve import SearchFilters

    body = client.post("/api/ask", json={"question": "那农村的呢？", "previous": ["城市低保家庭住房困难怎么办？"],
                                         "kind": "gazette", "year": 2024, "doc": "许政办[2024]3号"}).json()
    expected = pipeline.answerer.run("那农村的呢？", [Turn("城市低保家庭住房困难怎么办？")],
                                     SearchFilters(kind="gazette", year=2024, doc_number="许政办〔2024〕3号"))
    assert body == expected.to_json()
    assert [(c["doc_number"], c["clause_path"]) for c in body["citations"]] == [("许政办〔2024〕3号", "四、（二）3.")]


def test_search_is_the_cli_s_search_json(served):
    client, pipeline = served
    body = client.post("/api/search", json={"question": CARE, "k": 2}).json()
    assert body == [h.to_json() for h in pipeline.retriever.search(CARE, k=2)]
    assert [(h["rank"], h["doc_number"], h["clause_path"], h["page"]) for h in body] == [
        (1, "许政办〔2024〕3号", "四、（四）1.", 72), (2, "许政办〔2024〕3号", "四、（一）2.", 72)]
    assert body[0]["text"] == CARE_CLAUSE


@pytest.mark.parametrize(("path", "payload", "status", "detail"), [
    ("/api/ask", {"question": CARE, "kind": "公报"}, 422,
     "筛选条件无效：kind 应为 gazette / policy / regulation / newspaper 之一，而不是 '公报'"),
    ("/api/search", {"question": CARE, "year": 24}, 422, "筛选条件无效：year 应为四位数的年份，而不是 24"),
    ("/api/ask", {"question": CARE, "year": "二〇二四"}, 422, "请求有误：year：应为整数"),
    ("/api/ask", {"question": CARE, "kinds": "gazette"}, 422, "请求有误：kinds：不是可用的字段"),
    ("/api/search", {"question": CARE, "k": 0}, 422, "请求有误：k：太小，最小为 1"),
    ("/api/search", {"question": CARE, "k": 100}, 422, "请求有误：k：太大，最大为 50"),
    ("/api/ask", {"previous": [CARE]}, 422, "请求有误：question：缺少此字段"),
    ("/api/ask", {"question": "   "}, 422, "问题不能为空，请输入想了解的政策问题，例如：特困人员的照料护理标准是多少？"),
    ("/api/ask", {"question": CARE, "doc": "许政〔2099〕1号"}, 404, "文件库中没有文号为“许政〔2099〕1号”的文件"),
    ("/api/search", {"question": CARE, "doc": "许政 〔2099〕 1 号"}, 404, "文件库中没有文号为“许政〔2099〕1号”的文件"),
    ("/api/search", {"question": CARE, "year": 2019}, 404, "文件库中没有 2019 年的文件（现有 2022、2024 年的文件）"),
])
def test_bad_input_gets_a_4xx_that_says_what_is_wrong_in_chinese(served, path, payload, status, detail):
    response = served[0].post(path, json=payload)
    assert (response.status_code, response.json()) == (status, {"detail": detail})


def test_a_body_that_is_not_json_is_said_so(served):
    response = served[0].post("/api/ask", content=b"{question: 1", headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (422, {"detail": "请求有误：请求体不是有效的 JSON"})


def test_the_library_lists_documents_and_opens_a_clause(served):
    client = served[0]
    listed = client.get("/api/documents", params={"q": "许政办〔2024〕3号"}).json()
    assert listed == [{"key": "许政办〔2024〕3号", "title": CARE_TITLE, "kind": "gazette",
                       "issue": "《许昌市人民政府公报》2024年第2期", "date": 20240430, "status": "现行有效",
                       "clauses": listed[0]["clauses"], "version": None}]
    clauses = client.get("/api/documents/许政办〔2024〕3号").json()["clauses"]
    assert len(clauses) == listed[0]["clauses"]
    assert {"clause": "四、（四）1.", "heading": "1.特困人员照料护理", "link": CARE_LINK} in clauses
    # a 文号 as people type it: half-width brackets
    opened = client.get("/api/documents/许政办[2024]3号/clauses/四、（四）1.")
    assert (opened.status_code, opened.json()) == (200, {
        "doc_number": "许政办〔2024〕3号", "doc_title": CARE_TITLE, "clause_path": "四、（四）1.", "clause": "四、（四）1.",
        "heading": "1.特困人员照料护理", "issue": "《许昌市人民政府公报》2024年第2期", "page": 72, "status": "现行有效",
        "version_date": 20240430, "responsible_units": ["市民政局", "市财政局"], "text": CARE_CLAUSE, "link": CARE_LINK})


@pytest.mark.parametrize(("path", "detail"), [
    ("/api/documents/许政〔2099〕1号/clauses/一、", "文件库中没有文件“许政〔2099〕1号”"),
    ("/api/documents/许政〔2099〕1号", "文件库中没有文件“许政〔2099〕1号”"),
    ("/api/documents/许政办〔2024〕3号/clauses/九、", "文件“许政办〔2024〕3号”中没有条款“九、”"),
])
def test_a_document_or_clause_not_in_the_library_is_404(served, path, detail):
    response = served[0].get(path)
    assert (response.status_code, response.json()) == (404, {"detail": detail})


def test_the_openapi_document_describes_this_api_only(served):
    described = served[0].get("/api/openapi.json").json()
    assert described["info"]["title"] == "政策问答 API"
    assert sorted(described["paths"]) == ["/api/ask", "/api/documents", "/api/documents/{doc}",
                                          "/api/documents/{doc}/clauses/{clause}", "/api/search"]
    ask = described["paths"]["/api/ask"]["post"]
    assert ask["responses"]["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert set(described["components"]["schemas"]["AskRequest"]["properties"]) == {
        "question", "previous", "kind", "year", "doc", "current"}


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    """The page open, the API only for programs with a key (RAG_API_KEYS)."""
    app, url, _feedback = start_app(tmp_path_factory.mktemp("api-keys"), api_keys=(KEY, "another-key-of-16+"))
    with httpx.Client(base_url=url, timeout=60) as client:
        yield client
    app.close()


@pytest.mark.parametrize(("headers", "detail"), [
    ({}, "缺少 API 密钥：请在请求头 Authorization: Bearer <密钥> 或 X-API-Key 中提供"),
    ({"Authorization": "Bearer wrong-key-wrong-key"}, "API 密钥无效"),
    ({"X-API-Key": KEY[:-1]}, "API 密钥无效"),
    ({"Authorization": f"Basic {KEY}"}, "缺少 API 密钥：请在请求头 Authorization: Bearer <密钥> 或 X-API-Key 中提供"),
])
def test_a_missing_or_wrong_api_key_is_401(keyed, headers, detail):
    for response in (keyed.post("/api/ask", json={"question": CARE}, headers=headers),
                     keyed.get("/api/documents", headers=headers), keyed.get("/api/openapi.json", headers=headers)):
        assert (response.status_code, response.json()) == (401, {"detail": detail})
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("headers", [{"Authorization": f"Bearer {KEY}"}, {"X-API-Key": "another-key-of-16+"}])
def test_a_right_api_key_is_answered(keyed, headers):
    response = keyed.post("/api/ask", json={"question": CARE}, headers=headers)
    assert response.status_code == 200
    assert response.json()["citations"][0]["clause_path"] == "四、（四）1."


def test_wrong_keys_are_slowed_down_like_wrong_passwords():
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def attempts() -> list[bool]:
        keys = Keys((KEY,))
        keys.guard.sleep = sleep
        return [await keys.check(f"guess-{n}") for n in range(FREE_FAILURES + 2)] + [await keys.check(KEY)]

    assert asyncio.run(attempts()) == [False] * (FREE_FAILURES + 2) + [True]
    assert waits == [1.0, 2.0, 4.0]  # the 11th and 12th guesses, then the right key after them


def test_behind_the_login_the_api_needs_the_session_or_a_key(tmp_path):
    app, url, _feedback = start_app(tmp_path, login=("staff", "s3cret"))
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            response = client.post("/api/ask", json={"question": CARE})
            assert (response.status_code, response.json()) == (
                401, {"detail": "需要登录：请先在网页登录，或由管理员设置 RAG_API_KEYS 后使用 API 密钥"})
            assert client.post("/login", data={"username": "staff", "password": "s3cret"}).status_code == 200
            response = client.post("/api/ask", json={"question": CARE})  # the session's cookie
            assert response.status_code == 200
            assert response.json()["citations"][0]["clause_path"] == "四、（四）1."
    finally:
        app.close()


def test_with_a_staff_area_of_its_own_the_api_stays_open_like_the_chat(tmp_path):
    """The staff area mounted at /staff (RAG_STAFF_AUTH only) neither hides /api nor puts it behind a login."""
    app, url, _feedback = start_app(tmp_path, staff=("staff", "s3cret"))
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            response = client.post("/api/search", json={"question": CARE, "k": 1})
            assert response.status_code == 200
            assert [(h["doc_number"], h["clause_path"]) for h in response.json()] == [("许政办〔2024〕3号", "四、（四）1.")]
            assert client.get("/staff/").status_code == 200
            # typed without the slash, the address leads there rather than to a 404
            response = client.get("/staff")
            assert (response.status_code, response.headers["location"]) == (307, "/staff/")
    finally:
        app.close()


def test_a_full_page_queue_turns_api_callers_away_in_chinese(tmp_path):
    """The page's queue and the API share its size: one question running and one waiting on the page fill a
    queue of one, and an API caller then gets the page's 503."""
    embedder = HeldEmbedder()
    app, url, _feedback = start_app(tmp_path, embedder, concurrency=1, queue_size=1)
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            page = {"data": [CARE, "全部", "全部", "全部"]}
            assert client.post("/gradio_api/call/ask", json=page).status_code == 200
            assert embedder.holding.wait(timeout=60)  # the page's one worker is busy
            assert client.post("/gradio_api/call/ask", json=page).status_code == 200  # the one queue place
            response = client.post("/api/ask", json={"question": CARE})
            assert (response.status_code, response.json()) == (503, {"detail": QUEUE_FULL})
    finally:
        embedder.release.set()
        app.close()



def test_api_keys_come_from_the_environment_and_a_short_one_is_refused(monkeypatch):
    from rag.config import Settings, SettingsError

    monkeypatch.delenv("RAG_UI_AUTH", raising=False)
    monkeypatch.setenv("RAG_API_KEYS", f" {KEY}, another-key-of-16+ ,")
    assert Settings.from_env().api_keys == (KEY, "another-key-of-16+")
    monkeypatch.setenv("RAG_API_KEYS", f"{KEY},short")
    with pytest.raises(SettingsError) as error:
        Settings.from_env()
    assert str(error.value) == "RAG_API_KEYS 中有密钥太短：每个至少 16 个字符（可用 openssl rand -hex 24 生成）"
