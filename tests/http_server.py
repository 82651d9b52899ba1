"""A small threaded HTTP server on 127.0.0.1 serving scripted responses, for live-transport tests."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs, urlparse

# A route answers (status, headers, body) for (path, query, request number on that path).
Route = Callable[[str, dict, int], tuple[int, dict, bytes]]


class LocalServer:
    def __init__(self, route: Route):
        self.route = route
        self.requests: list[tuple[str, dict, dict]] = []
        self._counts: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                server.requests.append((url.path, query, dict(self.headers)))
                n = server._counts.get(url.path, 0)
                server._counts[url.path] = n + 1
                status, headers, body = server.route(url.path, query, n)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
