"""The running Gradio app through gradio_client: answers, refusals, follow-ups, 10 users at once."""

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from rag.app.access import chat_login, staff_login
from rag.app.webui import UNAVAILABLE
from rag.config import Settings, SettingsError
from tests.fakes import HashingEmbedder, HeldEmbedder
from tests.ui_server import start_app

# question → the clause its answer must cite first (checked against the documents by hand)
OWN_CLAUSE = {
    "特困人员的照料护理标准是多少？": ("许政办〔2024〕3号", "四、（四）1."),
    "特困人员的基本生活标准是怎么定的？": ("许政办〔2024〕3号", "四、（一）2."),
    "一级土地年税额标准为每平方米多少元？": ("许政〔2024〕15号", "二、"),
    "调整后的城镇土地使用税从什么时候执行？": ("许政〔2024〕15号", "四、"),
    "无分歧欠款什么时候应清尽清？": ("许政办〔2024〕4号", "六、22."),
    "颍河襄城县段治理工程由谁负责？": ("许政〔2024〕9号", "三、（四）13."),
    "独生子女家庭父母住院护理补贴每人每天多少元？": ("许政〔2024〕12号", "三、（七）专栏2"),
    "申请刚性支出困难家庭不予认定的多久书面告知？": ("许政办〔2024〕3号", "二、（二）2."),
    "对以旧家电换购节能家电的消费者有什么优惠？": ("许政〔2024〕11号", "三、（七）"),
    "最低生活保障边缘家庭成员的收入标准是多少？": ("许政办〔2024〕3号", "二、（一）4."),
}


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    app, url, _feedback = start_app(tmp_path_factory.mktemp("ui-api"))
    yield url
    app.close()


def _cited(result: dict) -> tuple[str, str]:
    return result["citations"][0]["doc_number"], result["citations"][0]["clause_path"]


def test_the_care_question_is_answered_with_its_citation(app_url):
    result = Client(app_url, verbose=False).predict("特困人员的照料护理标准是多少？", api_name="/ask")
    assert not result["refused"]
    assert "1/10、1/6、1/3" in result["answer"]
    assert _cited(result) == ("许政办〔2024〕3号", "四、（四）1.")


def test_an_unanswerable_question_is_refused(app_url):
    result = Client(app_url, verbose=False).predict("“许昌惠企贷”能贷多少钱？", api_name="/ask")
    assert result["refused"] and result["citations"] == []
    assert result["answer"].startswith("现有文件中没有找到")


def test_the_chat_keeps_each_session_s_conversation(app_url):
    first, second = Client(app_url, verbose=False), Client(app_url, verbose=False)
    first.predict("城市低保家庭住房困难怎么办？", "全部", "全部", "全部", api_name="/respond")
    second.predict("无分歧欠款什么时候应清尽清？", "全部", "全部", "全部", api_name="/respond")
    chat, _box = first.predict("那农村的呢？", "全部", "全部", "全部", api_name="/respond")
    asked = [m["content"][0]["text"] for m in chat if m["role"] == "user"]
    assert asked == ["城市低保家庭住房困难怎么办？", "那农村的呢？"]
    last_answer = chat[len(chat) - 1 - [m["role"] for m in reversed(chat)].index("user") + 1:]
    assert "农村危房改造" in last_answer[0]["content"][0]["text"]  # read with *this* session's previous question
    # its citation folded right under it: 文号 + clause, opening the clause text
    assert last_answer[1]["metadata"]["title"] == "[1] 许政办〔2024〕3号 四、（二）3."
    assert "通过农村危房改造等方式优先给予住房救助" in last_answer[1]["content"][0]["text"]


def test_a_partial_answer_is_marked_at_its_start(app_url):
    question = "无分歧欠款什么时候应清尽清？还有许昌的公积金贷款利率是多少？"
    assert Client(app_url, verbose=False).predict(question, api_name="/ask")["unanswered_parts"] == [
        "还有许昌的公积金贷款利率是多少？"]
    chat, _box = Client(app_url, verbose=False).predict(question, "全部", "全部", "全部", api_name="/respond")
    assert chat[1]["content"][0]["text"].startswith("<strong>◐ 部分问题未找到明确规定</strong>  \n  \n1. 2024年：重点抓好拖欠企业账款清理")
    assert chat[2]["metadata"]["title"] == "[1] 许政办〔2024〕4号 六、22."
    # what the answer's copy button copies: its citations in the canonical format
    assert ("[1] 《许昌市人民政府办公室关于印发攻坚二季度确保“双过半”若干措施的通知》（许政办〔2024〕4号）六、22.，"
            "载《许昌市人民政府公报》2024年第2期 第79页") in chat[1]["content"][0]["text"]


@pytest.mark.parametrize(("kind", "year", "message"), [
    ("全部", "abc", "筛选条件无效：年份应为四位数字或“全部”，而不是 'abc'"),
    ("公告", "全部", "筛选条件无效：来源应为 全部 / 公报 / 报纸 之一，而不是 '公告'"),
    ("全部", "²⁰²⁴", "筛选条件无效：年份应为四位数字或“全部”，而不是 '²⁰²⁴'"),
])
def test_a_bad_filter_value_gets_its_own_message_not_a_server_error(app_url, kind, year, message):
    with pytest.raises(AppError) as error:
        Client(app_url, verbose=False).predict("特困人员的照料护理标准是多少？", kind, year, "全部", api_name="/ask")
    assert error.value.message == message


def test_ten_users_at_once_each_get_their_own_answer(app_url):
    def ask(question: str) -> tuple[str, tuple[str, str]]:
        return question, _cited(Client(app_url, verbose=False).predict(question, api_name="/ask"))

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = dict(pool.map(ask, OWN_CLAUSE))
    assert results == OWN_CLAUSE


def test_logins_are_off_by_default_and_set_from_the_environment(monkeypatch):
    for name in ("RAG_UI_AUTH", "RAG_STAFF_AUTH", "RAG_ADMIN_AUTH"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert (chat_login(settings), staff_login(settings)) == (None, None)  # an open chat, no staff area
    monkeypatch.setenv("RAG_STAFF_AUTH", "staff:s3cret:with-colon")
    monkeypatch.setenv("RAG_ADMIN_AUTH", "admin:adm1n")
    monkeypatch.setenv("RAG_UI_PORT", "8123")
    settings = Settings.from_env()
    assert (chat_login(settings), staff_login(settings)) == (None, ("staff", "s3cret:with-colon"))
    assert (settings.admin_login, settings.ui_port) == (("admin", "adm1n"), 8123)
    monkeypatch.delenv("RAG_STAFF_AUTH")
    monkeypatch.setenv("RAG_UI_AUTH", "office:pw")  # internal-only: the whole app, staff area included
    settings = Settings.from_env()
    assert (chat_login(settings), staff_login(settings)) == (("office", "pw"), ("office", "pw"))


ADMIN_ALONE = "设置了 RAG_ADMIN_AUTH 却没有 RAG_STAFF_AUTH（或 RAG_UI_AUTH）：管理文件在工作人员页里，工作人员页要先登录才能打开"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("RAG_UI_AUTH", "staff", "RAG_UI_AUTH 格式应为 用户名:密码（两者都不能为空）"),
    ("RAG_UI_AUTH", ":s3cret", "RAG_UI_AUTH 格式应为 用户名:密码（两者都不能为空）"),
    ("RAG_STAFF_AUTH", "staff:", "RAG_STAFF_AUTH 格式应为 用户名:密码（两者都不能为空）"),
    ("RAG_UI_PORT", "abc", "RAG_UI_PORT='abc' 无效：应为 1–65535 的端口号"),
    ("RAG_UI_PORT", "70000", "RAG_UI_PORT='70000' 无效：应为 1–65535 的端口号"),
    ("RAG_UI_PORT", "²", "RAG_UI_PORT='²' 无效：应为 1–65535 的端口号"),
    ("RAG_ADMIN_AUTH", "admin:pw", ADMIN_ALONE),
])
def test_a_bad_login_or_port_setting_is_refused_not_ignored(monkeypatch, name, value, message):
    for login in ("RAG_UI_AUTH", "RAG_STAFF_AUTH", "RAG_ADMIN_AUTH"):
        monkeypatch.delenv(login, raising=False)
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        Settings.from_env()
    assert str(error.value) == message


class DeadModelEmbedder(HashingEmbedder):
    """Indexes fine, then fails every question, as when the model's child process keeps dying."""

    def embed_query(self, text: str):
        raise RuntimeError("嵌入模型进程连续两次意外退出")


def test_a_failing_model_gives_a_clear_message_and_keeps_the_conversation(tmp_path):
    app, url, _feedback = start_app(tmp_path, DeadModelEmbedder())
    try:
        client = Client(url, verbose=False)
        chat, _box = client.predict("特困人员的照料护理标准是多少？", "全部", "全部", "全部", api_name="/respond")
        assert chat[-1]["content"][0]["text"] == f"⚠️ {UNAVAILABLE}"
        chat, _box = client.predict("那农村的呢？", "全部", "全部", "全部", api_name="/respond")
        assert len(chat) == 4  # the page keeps working; both questions stay in the chat
        with pytest.raises(Exception, match="暂时无法回答：检索服务出错"):
            client.predict("特困人员的照料护理标准是多少？", api_name="/ask")
    finally:
        app.close()


def _post(url: str, payload: dict) -> tuple[int, str, str]:
    """(status, content type, body) of a JSON POST."""
    request = urllib.request.Request(url, json.dumps(payload).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode("utf-8")


def test_a_full_queue_is_answered_in_chinese_at_the_http_level(tmp_path):
    """The probe's case: 150 questions at once, 74 got HTTP 503 with English JSON 「Queue is full. Max size is 64」."""
    embedder = HeldEmbedder()
    app, url, _feedback = start_app(tmp_path, embedder, concurrency=1, queue_size=1)
    try:
        ask = url + "gradio_api/call/ask"
        assert _post(ask, {"data": ["特困人员的照料护理标准是多少？", "全部", "全部", "全部"]})[0] == 200
        assert embedder.holding.wait(timeout=60)  # the one worker is busy
        assert _post(ask, {"data": ["低保边缘家庭怎么认定？", "全部", "全部", "全部"]})[0] == 200  # the one queue place
        status, kind, body = _post(ask, {"data": ["临时救助怎么申请？", "全部", "全部", "全部"]})
        assert (status, kind, json.loads(body)) == (503, "application/json", {"detail": "现在提问的人较多，请稍候再试。"})
        respond = next(i for i, f in app.chat.fns.items() if getattr(f.fn, "__name__", "") == "respond")
        join = {"data": ["临时救助怎么申请？", None, "全部", "全部", "全部"], "fn_index": respond, "session_hash": "full"}
        status, _kind, body = _post(url + "gradio_api/queue/join", join)  # what the page itself sends
        assert (status, json.loads(body)) == (503, {"detail": "现在提问的人较多，请稍候再试。"})
    finally:
        embedder.release.set()
        app.close()
