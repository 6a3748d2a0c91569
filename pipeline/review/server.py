"""HTTP transport of the review app: the standard library's threading server, nothing to install.

Bound to 127.0.0.1 unless told otherwise. Binding another address requires an access token:
the page is opened once as ``http://HOST:PORT/?token=...`` (which sets a cookie), and every
request must carry it (cookie or ``Authorization: Bearer``). Without a token, requests whose
``Host`` header is not a loopback name are refused (DNS rebinding); with one, any host name
the server is reached by works and the token guards. POSTs must be JSON (no form posts from other
sites), and no request is logged with its body: report text never reaches the log.
"""
from __future__ import annotations

import hmac
import ipaddress
import threading
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qsl, urlsplit

from .app import Response, ReviewApp

COOKIE = "dvt_review_token"
STATIC = {"/": ("index.html", "text/html; charset=utf-8"), "/static/review.js": ("review.js", "text/javascript; charset=utf-8"),
          "/static/review.css": ("review.css", "text/css; charset=utf-8")}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def static_file(name: str) -> bytes:
    return resources.files("pipeline.review").joinpath("static", name).read_bytes()


class ReviewServer(ThreadingHTTPServer):
    """Serves one :class:`ReviewApp`; ``token`` None means no access token (loopback only)."""

    daemon_threads = True

    def __init__(self, app: ReviewApp, host: str = "127.0.0.1", port: int = 8765, token: str | None = None) -> None:
        if token is None and not is_loopback(host):
            raise ValueError(f"binding {host} (not loopback) needs an access token: pass --token")
        self.app, self.token = app, token
        super().__init__((host, port), _Handler)
        self.allowed_hosts = {f"{name}:{self.server_address[1]}" for name in ("127.0.0.1", "localhost", "[::1]", host)}

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/" + (f"?token={self.token}" if self.token else "")

    def serve_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="dvt-review", daemon=True)
        thread.start()
        return thread


class _Handler(BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "dvt-review"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet; paths hold no report text but keep stderr clean
        return

    def _send(self, response: Response) -> None:
        payload = response.payload()
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in {**SECURITY_HEADERS, **response.headers}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _refuse(self, status: int, message: str) -> None:
        self._send(Response(status, {"error": message}))

    def _authorized(self, query: dict[str, str]) -> bool:
        token = self.server.token
        if token is None:
            return True
        given = query.get("token") or ""
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            given = given or auth[7:]
        cookie = SimpleCookie(self.headers.get("Cookie", ""))
        if COOKIE in cookie:
            given = given or cookie[COOKIE].value
        return hmac.compare_digest(given.encode(), token.encode())

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query))
        if self.server.token is None and self.headers.get("Host", "") not in self.server.allowed_hosts:
            return self._refuse(HTTPStatus.FORBIDDEN, "unexpected Host header")  # with a token, the token guards
        if not self._authorized(query):
            return self._refuse(HTTPStatus.UNAUTHORIZED, "access token required: open the URL dvt review printed")
        if method == "GET" and url.path in STATIC:
            name, content_type = STATIC[url.path]
            headers = {}
            if "token" in query:  # first visit with ?token=: keep it in a cookie, drop it from the address bar
                headers = {"Set-Cookie": f"{COOKIE}={query['token']}; HttpOnly; SameSite=Strict; Path=/", "Location": url.path}
                return self._send(Response(303, b"", content_type, headers))
            return self._send(Response(200, static_file(name), content_type))
        body = b""
        if method == "POST":
            if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
                return self._refuse(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "POST bodies must be application/json")
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                return self._refuse(HTTPStatus.BAD_REQUEST, "bad Content-Length")
            if length > 1_000_000:
                return self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large")
            body = self.rfile.read(length)
        self._send(self.server.app.handle(method, url.path, query, body, self.headers.get("X-Review-Session")))

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._refuse(HTTPStatus.METHOD_NOT_ALLOWED, "use GET or POST")

    do_DELETE = do_PATCH = do_PUT
