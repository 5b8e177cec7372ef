import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

LOG = open(sys.argv[2], "a")


class H(BaseHTTPRequestHandler):
    def _do(self):
        n = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        LOG.write(
            json.dumps(
                {
                    "m": self.command,
                    "p": self.path,
                    "b": body,
                    "ct": self.headers.get("content-type"),
                    "auth": self.headers.get("authorization"),
                    "run": self.headers.get("x-paperclip-run-id"),
                }
            )
            + "\n"
        )
        LOG.flush()
        out = b"{}"
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _do

    def log_message(self, *a):
        pass


HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
