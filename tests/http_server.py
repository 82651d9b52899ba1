"""A small threaded HTTP server on 127.0.0.1 (port chosen by the OS) serving scripted responses,
for live-transport tests (GET) and webhook tests (POST, body recorded). A route answers ``(status, headers, body)`` or a :class:`Reply`, which
can also misbehave the way real servers do: answer late, or cut the body short and hang up."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable, NamedTuple, Union
from urllib.parse import parse_qs, urlparse


@dataclass
class Reply:
    """One scripted answer.

    ``delay_s``: wait before answering (a slow server; a client timeout fires first).
    ``cut_after``: announce the whole body's Content-Length but send only that many bytes, then
    close the connection (a reset mid-body). ``chunks``: stream these instead of ``body`` without
    a Content-Length, until they run out or the client hangs up (``sent`` counts what went out).
    """

    status: int = 200
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    delay_s: float = 0.0
    cut_after: int | None = None
    chunks: Iterable[bytes] | None = None
    sent: int = 0


Answer = Union[tuple, Reply]
# A route answers (path, query, n) -- n: the request's number on that path, from 0 -- and, with
# ``LocalServer(route, with_headers=True)``, (path, query, n, request headers); ``with_body=True``
# adds the request's body (a POST's) as the last argument.
Route = Callable[..., Answer]


class Request(NamedTuple):
    path: str
    query: dict
    headers: dict
    at: float  # time.monotonic() on arrival
    method: str = "GET"
    body: bytes = b""  # what a POST sent


class LocalServer:
    def __init__(self, route: Route, *, with_headers: bool = False, with_body: bool = False):
        self.route = route
        self.requests: list[Request] = []
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                self.answer("GET", b"")

            def do_POST(self):  # noqa: N802 (http.server's name)
                self.answer("POST", self.rfile.read(int(self.headers.get("Content-Length") or 0)))

            def answer(self, method: str, body: bytes):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
                headers = dict(self.headers)
                with server._lock:
                    server.requests.append(Request(url.path, query, headers, time.monotonic(), method, body))
                    n = server._counts.get(url.path, 0)
                    server._counts[url.path] = n + 1
                args = (url.path, query, n, headers) if with_headers else (url.path, query, n)
                args += (body,) if with_body else ()
                answer = server.route(*args)
                reply = answer if isinstance(answer, Reply) else Reply(*answer)
                server.send(self, reply)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client that timed out or hung up early is what several tests do on purpose

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @staticmethod
    def send(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.delay_s:
            time.sleep(reply.delay_s)
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if reply.chunks is None:
            handler.send_header("Content-Length", str(len(reply.body)))
        handler.end_headers()
        if reply.chunks is not None:
            for chunk in reply.chunks:
                handler.wfile.write(chunk)
                reply.sent += len(chunk)
            return
        body = reply.body if reply.cut_after is None else reply.body[:reply.cut_after]
        handler.wfile.write(body)
        if reply.cut_after is not None:
            handler.wfile.flush()
            handler.connection.shutdown(socket.SHUT_RDWR)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
