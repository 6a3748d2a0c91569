"""HTTP transport of the review app: the standard library's threading server, nothing to install.

Bound to 127.0.0.1 unless told otherwise. Binding another address requires an access token (at
least 16 printable ASCII characters): the page is opened once as ``http://HOST:PORT/?token=...``
(which sets a cookie), and every request must carry it (cookie or ``Authorization: Bearer``).
Without a token, requests whose ``Host`` header is not a loopback name are refused (DNS
rebinding), and a ``?token=`` in the address is ignored; with one, any host name the server is
reached by works and the token guards. No request data goes into a response header. POSTs must be
JSON (no form posts from other sites), and no request is logged with its body: report text never
reaches the log. Every request gets a JSON answer (never a dropped connection with a traceback),
sockets time out (``timeout``), and at most ``max_connections`` are served at once (the rest get
503 at once). See docs/review-safety.md.
"""
from __future__ import annotations

import hmac
import ipaddress
import json
import threading
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
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


MIN_TOKEN_CHARS = 16


def check_token(token: str | None) -> str | None:
    """The access token as given, or ValueError when it is empty, short, or not printable ASCII without spaces."""
    if token is not None and not (len(token) >= MIN_TOKEN_CHARS and token.isascii() and token.isprintable() and " " not in token):
        raise ValueError(f"an access token must be at least {MIN_TOKEN_CHARS} printable ASCII characters without spaces (--token auto makes one)")
    return token


def _plain_token(value: str) -> bool:
    """Whether a token given in a request could be one (printable ASCII: nothing that could split a header)."""
    return value.isascii() and value.isprintable()


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
    request_queue_size = 64  # connections waiting to be accepted (then served, or told 503)

    def __init__(self, app: ReviewApp, host: str = "127.0.0.1", port: int = 8765, token: str | None = None,
                 timeout: float = 30.0, max_connections: int = 32) -> None:
        if check_token(token) is None and not is_loopback(host):
            raise ValueError(f"binding {host} (not loopback) needs an access token: pass --token")
        self.app, self.token, self.request_timeout = app, token, timeout
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__((host, port), _Handler)
        self.allowed_hosts = {f"{name}:{self.server_address[1]}" for name in ("127.0.0.1", "localhost", "[::1]", host)}

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/" + (f"?token={self.token}" if self.token else "")

    def process_request(self, request, client_address) -> None:
        """One thread per connection, at most ``max_connections`` at once; the rest are told 503 and closed."""
        if not self._slots.acquire(blocking=False):
            try:
                request.sendall(BUSY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request, client_address) -> None:
        """A connection that failed (reset, timed out): no traceback on stderr."""

    def serve_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="dvt-review", daemon=True)
        thread.start()
        return thread


_BUSY_BODY = json.dumps({"error": "too many connections; try again"}).encode()
BUSY = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
        b"Content-Length: %d\r\n\r\n" % len(_BUSY_BODY) + _BUSY_BODY)


class _Handler(BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "dvt-review"
    sys_version = ""

    def setup(self) -> None:
        self.timeout = self.server.request_timeout  # an idle or slow client does not hold a thread for ever
        super().setup()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (bad request line, headers too long) as JSON too."""
        self.close_connection = True
        self._send(Response(code, {"error": message or HTTPStatus(code).phrase}))

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
        cookie = SimpleCookie()
        try:
            cookie.load(self.headers.get("Cookie", ""))
        except CookieError:
            pass
        if COOKIE in cookie:
            given = given or cookie[COOKIE].value
        return _plain_token(given) and hmac.compare_digest(given.encode(), token.encode())

    def _dispatch(self, method: str) -> None:
        try:
            self._answer(method)
        except OSError:  # the client went away or timed out
            self.close_connection = True
        except Exception:  # noqa: BLE001 - anything else: a JSON answer, no traceback
            self.close_connection = True
            self._refuse(HTTPStatus.INTERNAL_SERVER_ERROR, "the request could not be handled")

    def _answer(self, method: str) -> None:
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query))
        if "token" in query and not _plain_token(query["token"]):
            return self._refuse(HTTPStatus.BAD_REQUEST, "the token holds characters no token has")
        if self.server.token is None and self.headers.get("Host", "") not in self.server.allowed_hosts:
            return self._refuse(HTTPStatus.FORBIDDEN, "unexpected Host header")  # with a token, the token guards
        if not self._authorized(query):
            return self._refuse(HTTPStatus.UNAUTHORIZED, "access token required: open the URL dvt review printed")
        if method == "GET" and url.path in STATIC:
            name, content_type = STATIC[url.path]
            headers = {}
            if "token" in query and self.server.token is not None:  # first visit with ?token=: keep it in a cookie, drop it from the address
                headers = {"Set-Cookie": f"{COOKIE}={self.server.token}; HttpOnly; SameSite=Strict; Path=/", "Location": url.path}
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
            if length < 0:
                self.close_connection = True
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
