"""The review app in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright), and its HTTP guards.

The browser walk: open the app, see the first queued report's evidence highlighted, correct its
label with the keyboard, reload, find the decision kept, export, and evaluate against the export.
Skipped when Chromium or Playwright is missing, unless DVT_REQUIRE_BROWSER=1 (set by .ci/run).
"""
from __future__ import annotations

import csv
import http.client
import json
import os
import shutil

import pytest

from pipeline.evaluation import evaluate_files
from pipeline.review import open_review
from pipeline.review.app import ReviewApp
from pipeline.review.export import export_review
from pipeline.review.server import ReviewServer

CHROMIUM = os.environ.get("DVT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture()
def server(tmp_path, review_source):
    store = open_review(tmp_path / "review.sqlite", str(review_source["output"]), str(review_source["input"]))
    srv = ReviewServer(ReviewApp(store, "alice"), "127.0.0.1", 0)
    srv.serve_in_thread()
    yield srv
    srv.shutdown()
    srv.server_close()


def request(srv: ReviewServer, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    host, port = srv.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request(method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, response.headers, data


# ------------------------------------------------------------------------------ HTTP guards


def test_page_and_api_are_served_with_a_strict_content_policy(server):
    status, headers, body = request(server, "GET", "/")
    assert status == 200 and b'<script src="/static/review.js"' in body
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    status, _, body = request(server, "GET", "/api/info")
    assert status == 200 and json.loads(body)["total"] == 6


@pytest.mark.parametrize("method, path, body, headers, status", [
    ("GET", "/api/info", None, {"Host": "attacker.example:80"}, 403),                           # DNS rebinding
    ("POST", "/api/session", b"reviewer=alice", {"Content-Type": "application/x-www-form-urlencoded"}, 415),  # form post
    ("PUT", "/api/decisions", b"{}", {"Content-Type": "application/json"}, 405),
    ("GET", "/static/../store.py", None, {}, 404),
])
def test_http_guards(server, method, path, body, headers, status):
    assert request(server, method, path, body, headers)[0] == status


def test_off_loopback_needs_a_token_and_checks_it(tmp_path, review_source):
    store = open_review(tmp_path / "r.sqlite", str(review_source["output"]), str(review_source["input"]))
    with pytest.raises(ValueError, match="needs an access token"):
        ReviewServer(ReviewApp(store), "0.0.0.0", 0)
    srv = ReviewServer(ReviewApp(store), "127.0.0.1", 0, token="s3cret-long-enough-token")
    srv.serve_in_thread()
    try:
        assert request(srv, "GET", "/api/info")[0] == 401
        assert request(srv, "GET", "/api/info", headers={"Authorization": "Bearer s3cret-long-enough-token"})[0] == 200
        status, headers, _ = request(srv, "GET", "/?token=s3cret-long-enough-token")
        assert status == 303 and "dvt_review_token=s3cret-long-enough-token" in headers["Set-Cookie"] and "HttpOnly" in headers["Set-Cookie"]
        assert request(srv, "GET", "/api/info", headers={"Cookie": "dvt_review_token=s3cret-long-enough-token"})[0] == 200
        assert request(srv, "GET", "/api/info", headers={"Cookie": "dvt_review_token=wrong"})[0] == 401
        reached_by_name = {"Host": f"reviews.example.org:{srv.server_address[1]}", "Authorization": "Bearer s3cret-long-enough-token"}
        assert request(srv, "GET", "/api/info", headers=reached_by_name)[0] == 200  # off loopback, users come by host name
    finally:
        srv.shutdown()
        srv.server_close()


# ------------------------------------------------------------------------------ browser


def _browser_available() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install '.[test]')"
    if not shutil.which(CHROMIUM):
        return f"{CHROMIUM} not found (apt-get install chromium)"
    return None


@pytest.fixture()
def browser():
    missing = _browser_available()
    if missing:
        if os.environ.get("DVT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=shutil.which(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def _login(page, url: str, reviewer: str) -> None:
    page.goto(url)
    page.fill("#reviewer", reviewer)
    page.press("#reviewer", "Enter")


def test_review_walk_in_chromium(browser, server, review_source, tmp_path):
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, url, "alice")

    # The queue opens on the uncertain report first (r4: questionable peroneal thrombus), its evidence highlighted.
    page.wait_for_selector("#report-text span.mention")
    assert page.inner_text("#report-head .report-id strong") == "Report r4"
    mention = page.locator("#report-text span.mention.g-distal_axial.st-possible")
    assert mention.inner_text() == "peroneal vein"
    assert "peroneal · left · possible" in mention.get_attribute("title")
    assert page.locator("#report-text span.modifier").first.inner_text() == "Questionable"
    mention.hover()
    assert "hot" in page.locator("#findings li.finding").first.get_attribute("class")  # hovering lights up its finding

    # Correct it with the keyboard: 6 = NEGATIVE, L then 6 = left NEGATIVE, N = note, Esc, Enter = save.
    page.keyboard.press("6")
    page.keyboard.press("l")
    page.keyboard.press("6")
    page.keyboard.press("n")
    page.keyboard.type("thrombus not confirmed on transverse views")
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    expect(page.locator("#report-head")).to_contain_text("Report r1")  # moved on
    assert "Saved: NEGATIVE (corrected)" in page.inner_text("#status")

    # Reload: the decision is kept and shown.
    page.reload()
    _login(page, url, "alice")
    page.wait_for_selector("#report-text span.mention")
    page.click("#queue li[data-row='3']")
    expect(page.locator("#report-head")).to_contain_text("Report r4")
    assert "NEGATIVE" in page.inner_text("#your-decision") and "corrected" in page.inner_text("#your-decision")
    assert page.locator("#label-buttons [aria-checked='true']").inner_text() == "6 NEGATIVE"
    assert page.input_value("#side-left") == "NEGATIVE"
    assert page.input_value("#note") == "thrombus not confirmed on transverse views"

    # A second reviewer at the same time is told who holds the review.
    other = browser.new_page()
    _login(other, url, "bob")
    expect(other.locator("#login-error")).to_contain_text("being reviewed by alice")
    page.goto("about:blank")  # alice leaves: the page gives the review up as it goes
    other.press("#reviewer", "Enter")
    expect(other.locator("#whoami")).to_have_text("reviewer: bob")
    assert errors == []

    # Export and evaluate the model against the adjudicated label.
    out = tmp_path / "adjudicated.csv"
    export_review(server.app.store, str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["id"], r["label"], r["side_label_left"], r["reviewer"]) for r in rows] == [("r4", "NEGATIVE", "NEGATIVE", "alice")]
    result = evaluate_files(review_source["output"], out, bootstrap=0)
    assert result.n_reports == 1 and result.label.accuracy == 0.0  # the model said INDETERMINATE


def test_accept_with_the_keyboard_and_screenshot(browser, server, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    _login(page, f"http://127.0.0.1:{server.server_address[1]}/", "alice")
    page.wait_for_selector("#report-text span.mention")
    page.keyboard.press("a")
    expect(page.locator("#status")).to_contain_text("accepted")
    assert [d["label"] for d in server.app.store.current_decisions("alice")] == ["INDETERMINATE"]
    page.screenshot(path=str(tmp_path / "review.png"))
    assert (tmp_path / "review.png").stat().st_size > 10_000


def test_header_without_gold_and_an_id_with_a_bidi_override(browser, tmp_path):
    """No gold: no "null" line in the header. An id holding U+202E is shown with the control as a visible escape."""
    from pipeline.api import extract

    rows = [("scan\u202e1", "Occlusive thrombus in the right popliteal vein.")]
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in rows), encoding="utf-8")
    out.write_text("".join(json.dumps(extract(t, i)) + "\n" for i, t in rows), encoding="utf-8")
    srv = ReviewServer(ReviewApp(open_review(tmp_path / "review.sqlite", str(out), str(source)), "alice"), "127.0.0.1", 0)
    srv.serve_in_thread()
    try:
        page = browser.new_page()
        _login(page, f"http://127.0.0.1:{srv.server_address[1]}/", "alice")
        page.wait_for_selector("#report-text span.mention")
        head = page.inner_text("#report-head")
        assert "null" not in head and "Gold" not in head
        assert page.inner_text("#report-head .report-id strong") == "Report scan⟨U+202E⟩1"
        assert "\u202e" not in page.inner_text("#queue")
    finally:
        srv.shutdown()
        srv.server_close()
