"""With RAG_UI_AUTH set: nothing about the corpus before login, the app after it, wrong passwords slowed."""

import asyncio
import http.cookiejar
import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from gradio_client import Client

from rag.app.login import CLIENT, FREE_FAILURES, MAX_TRACKED, LoginGuard
from tests.ui_server import start_app

LOGIN = ("staff", "s3cret")
# what a page or description would carry if it listed the corpus: a 文号 and words of two titles
CORPUS_WORDS = ("许政", "低收入人口", "城镇土地使用税")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    app, url, _feedback = start_app(tmp_path_factory.mktemp("ui-login"), login=LOGIN)
    yield url
    app.close()


def fetch(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers or {}), timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def login(url: str, password: str, client: str = "") -> int:
    """POST /login; `client`: the address a local proxy says the request came from (uvicorn trusts 127.0.0.1)."""
    form = urllib.parse.urlencode({"username": LOGIN[0], "password": password}).encode()
    return fetch(url + "login", form, {"X-Forwarded-For": client} if client else None)[0]


@pytest.mark.parametrize(("path", "status"), [
    ("", 200),  # the login page
    ("config", 401),
    ("gradio_api/info", 401),
    ("openapi.json", 404),
    ("gradio_api/openapi.json", 401),
])
def test_before_login_no_page_or_description_names_a_document(app_url, path, status):
    code, body = fetch(app_url + path)
    assert code == status
    assert [word for word in CORPUS_WORDS if word in body] == []


def test_the_page_describes_the_api_only_after_login(app_url):
    _code, before = fetch(app_url)
    assert '"named_endpoints": {}' in before and "/respond" not in before and "/ask" not in before
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    opener.open(urllib.request.Request(app_url + "login", urllib.parse.urlencode(
        {"username": LOGIN[0], "password": LOGIN[1]}).encode()), timeout=30)
    after = opener.open(app_url, timeout=30).read().decode("utf-8")
    assert '"/respond"' in after and '"/ask"' in after


def test_with_one_login_for_the_whole_app_its_session_opens_the_staff_area_too(app_url):
    assert fetch(app_url + "staff/config")[0] == 401
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    opener.open(urllib.request.Request(app_url + "login", urllib.parse.urlencode(
        {"username": LOGIN[0], "password": LOGIN[1]}).encode()), timeout=30)
    assert "用户反馈" in opener.open(app_url + "staff/config", timeout=30).read().decode("utf-8")


def test_before_login_the_api_answers_nothing(app_url):
    code, body = fetch(app_url + "gradio_api/call/ask", json.dumps({"data": ["特困人员的照料护理标准是多少？"]}).encode())
    assert code == 401
    assert "1/10" not in body


def test_after_login_the_app_answers_with_its_citation(app_url):
    result = Client(app_url, auth=LOGIN, verbose=False).predict("特困人员的照料护理标准是多少？", api_name="/ask")
    first = result["citations"][0]
    assert (first["doc_number"], first["clause_path"]) == ("许政办〔2024〕3号", "四、（四）1.")


def test_a_wrong_password_is_said_in_chinese(app_url):
    form = urllib.parse.urlencode({"username": LOGIN[0], "password": "wrong"}).encode()
    status, body = fetch(app_url + "login", form, {"X-Forwarded-For": "192.0.2.77"})
    assert (status, json.loads(body)) == (400, {"detail": "账号或密码不正确。"})


def test_after_ten_wrong_passwords_the_next_attempt_waits(app_url):
    assert [login(app_url, f"wrong-{n}") for n in range(FREE_FAILURES)] == [400] * FREE_FAILURES
    started = time.monotonic()
    assert login(app_url, "wrong-again") == 400
    assert time.monotonic() - started >= 1.0
    assert login(app_url, LOGIN[1]) == 200  # the right password still works, after its wait, and resets the count
    started = time.monotonic()
    assert login(app_url, "wrong") == 400
    assert time.monotonic() - started < 1.0


def test_wrong_passwords_from_one_address_never_delay_the_right_one_from_another(app_url):
    """The probe's case: a stranger's guesses lock no one else out (it made the right password wait 117.7 s)."""
    assert [login(app_url, f"wrong-{n}", "203.0.113.5") for n in range(FREE_FAILURES + 1)] == [400] * (FREE_FAILURES + 1)
    started = time.monotonic()
    assert login(app_url, LOGIN[1], "198.51.100.7") == 200
    assert time.monotonic() - started < 1.0
    started = time.monotonic()
    assert login(app_url, "wrong-again", "203.0.113.5") == 400  # the guesser still waits (2 s)
    assert time.monotonic() - started >= 2.0


def _attempts(guard: LoginGuard, attempts: list[tuple[str, str, str]]) -> list[bool]:
    """(address, name, password) tried one after another, each as a request from its address."""
    async def run() -> list[bool]:
        results = []
        for client, user, password in attempts:
            CLIENT.set(client)
            results.append(await guard.check(user, password))
        return results

    return asyncio.run(run())


def test_counts_are_per_address_and_name_and_an_ipv6_host_counts_by_its_block():
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    guard = LoginGuard(LOGIN, sleep=record)
    _attempts(guard, [("203.0.113.5", "staff", "wrong")] * (FREE_FAILURES + 2))
    assert waits == [1.0, 2.0]
    assert _attempts(guard, [("198.51.100.7", "staff", "s3cret")]) == [True] and waits == [1.0, 2.0]
    _attempts(guard, [("203.0.113.5", "staff", "wrong")])  # another's right password resets no one's count
    assert waits == [1.0, 2.0, 4.0]
    _attempts(guard, [("2001:db8::1", "staff", "wrong")] * FREE_FAILURES + [("2001:db8::ff", "staff", "wrong")])
    assert waits[-1] == 1.0 and guard.delay("staff", "2001:db8:0:1::1") == 0.0


def test_the_counts_kept_are_capped():
    async def no_wait(seconds: float) -> None:
        pass

    guard = LoginGuard(LOGIN, sleep=no_wait)
    _attempts(guard, [(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}", "staff", "wrong") for n in range(MAX_TRACKED + 5)])
    assert len(guard.failures) == MAX_TRACKED and len(guard.turns) <= MAX_TRACKED
    assert ("10.0.0.0", "staff") not in guard.failures and ("10.0.39.19", "staff") in guard.failures


def test_the_wait_doubles_up_to_thirty_seconds_and_other_names_share_one_count():
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    guard = LoginGuard(LOGIN, sleep=record)
    for _ in range(FREE_FAILURES + 7):
        assert asyncio.run(guard.check("staff", "wrong")) is False
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    for name in [f"intruder-{n}" for n in range(FREE_FAILURES + 1)]:
        asyncio.run(guard.check(name, "s3cret"))
    assert waits[-1] == 1.0 and len(guard.failures) == 2
    assert asyncio.run(guard.check("staff", "s3cret")) is True
    assert guard.delay("staff") == 0.0


def test_parallel_guesses_take_turns_with_their_waits():
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(0)  # let the other guesses run, as a real wait would

    async def guess_in_parallel(guard: LoginGuard) -> list[bool]:
        return await asyncio.gather(*(guard.check("staff", f"wrong-{n}") for n in range(FREE_FAILURES + 4)))

    assert asyncio.run(guess_in_parallel(LoginGuard(LOGIN, sleep=record))) == [False] * (FREE_FAILURES + 4)
    assert waits == [1.0, 2.0, 4.0, 8.0]


def test_a_logged_in_visitor_cannot_call_the_admin_handlers_claiming_to_be_unlocked(tmp_path):
    """Private events still answer /gradio_api/queue/join for a logged-in session: the unlock state is the
    server's, so a client that sends `true` for it is still refused."""
    app, site, _feedback = start_app(tmp_path, staff=LOGIN, admin=("admin", "adm1n"))
    url = site + "staff/"
    try:
        index = next(i for i, f in app.staff.fns.items() if getattr(f.fn, "__name__", "") == "ask_to_remove")
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        opener.open(urllib.request.Request(url + "login", urllib.parse.urlencode(
            {"username": LOGIN[0], "password": LOGIN[1]}).encode()), timeout=30)
        join = {"data": ["许政办〔2024〕3号", True], "fn_index": index, "session_hash": "forged"}
        opener.open(urllib.request.Request(url + "gradio_api/queue/join", json.dumps(join).encode(),
                                           {"Content-Type": "application/json"}), timeout=30)
        with opener.open(url + "gradio_api/queue/data?session_hash=forged", timeout=60) as events:
            completed = next(json.loads(line[6:]) for line in map(bytes.decode, events)
                             if line.startswith("data: ") and '"process_completed"' in line)
        assert completed["output"]["data"][0] == "请先用管理员账号解锁。"
        assert (tmp_path / "corpus" / "gazette" / "许昌市人民政府公报-2024-02.txt").is_file()
    finally:
        app.close()


# what a response would carry if it served the staff area: its headings, its handlers, what people said
STAFF_WORDS = ("用户反馈", "管理文件", "feedback", "ask_to_remove", "show_feedback", "没说清楚按哪年的工资算")


@pytest.fixture(scope="module")
def public_site(tmp_path_factory):
    """RAG_STAFF_AUTH alone: an open chat, the staff area behind its login; one vote already given."""
    root = tmp_path_factory.mktemp("ui-public")
    app, url, feedback = start_app(root, staff=LOGIN, admin=("admin", "adm1n"))
    feedback.record("down", "特困人员的照料护理标准是多少？", "答", [], "没说清楚按哪年的工资算")
    yield app, url
    app.close()


@pytest.mark.parametrize("path", ["", "config", "gradio_api/info"])
def test_the_public_chat_needs_no_login_and_serves_nothing_of_the_staff_area(public_site, path):
    code, body = fetch(public_site[1] + path)
    assert code == 200
    assert [word for word in STAFF_WORDS if word in body] == []


def test_the_public_api_lists_the_chat_alone(public_site):
    _code, body = fetch(public_site[1] + "gradio_api/info")
    assert sorted(json.loads(body)["named_endpoints"]) == ["/ask", "/respond"]
    assert sorted(Client(public_site[1], verbose=False).view_api(print_info=False, return_format="dict")
                  ["named_endpoints"]) == ["/ask", "/respond"]


@pytest.mark.parametrize(("path", "status"), [
    ("staff/", 200),  # the login form
    ("staff/config", 401),
    ("staff/gradio_api/info", 401),
    ("staff/gradio_api/openapi.json", 401),
    ("staff/openapi.json", 404),
    ("staff/gradio_api/runs", 404),  # no run history: the calls' inputs and outputs are never kept
    ("staff/gradio_api/run-history/records", 404),
])
def test_before_the_staff_login_nothing_of_the_staff_area_is_served(public_site, path, status):
    code, body = fetch(public_site[1] + path)
    assert code == status
    assert [word for word in STAFF_WORDS if word in body] == []


def test_before_the_staff_login_its_handlers_answer_nothing(public_site):
    app, url = public_site
    index = next(i for i, f in app.staff.fns.items() if getattr(f.fn, "__name__", "") == "show_feedback")
    join = {"data": [False], "fn_index": index, "session_hash": "anonymous"}
    code, body = fetch(url + "staff/gradio_api/queue/join", json.dumps(join).encode(), {"Content-Type": "application/json"})
    assert code == 401 and "没说清楚" not in body
    with pytest.raises(ValueError, match="credentials were not provided"):
        Client(url + "staff/", verbose=False)


def test_after_the_staff_login_the_staff_area_is_served_and_the_door_lets_that_session_in(public_site):
    app, url = public_site
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    assert not app.door.allows({})
    opener.open(urllib.request.Request(url + "staff/login", urllib.parse.urlencode(
        {"username": LOGIN[0], "password": LOGIN[1]}).encode()), timeout=30)
    config = opener.open(url + "staff/config", timeout=30).read().decode("utf-8")
    assert "用户反馈" in config and "管理文件" in config
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert app.door.allows(cookies)
    assert not app.door.allows(dict.fromkeys(cookies, "forged"))


def test_the_public_chat_takes_no_upload_a_stranger_could_fill_the_disk_with(public_site):
    """The chat has no upload field; its upload route refuses anything over 1 KB before it is stored."""
    boundary = "testboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + b"x" * 2_000_000 + f"\r\n--{boundary}--\r\n".encode()
    code, _body = fetch(public_site[1] + "gradio_api/upload", body,
                        {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert code == 413
