"""The inventory app of the README's service invocation example: POST /reserve and GET /stock/<sku>."""
import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

STOCK = {"a1": 7, "b2": 0}


class Inventory(BaseHTTPRequestHandler):
    def do_POST(self):
        if self.path != "/reserve":
            return self.answer(404, {"error": f"no route {self.path}"})
        sku = json.loads(self.body() or b"{}").get("sku")
        if not STOCK.get(sku):
            return self.answer(409, {"error": f"{sku} is out of stock"})
        STOCK[sku] -= 1
        self.answer(200, {"reserved": sku})

    def do_GET(self):
        sku = self.path[len("/stock/"):]
        if not self.path.startswith("/stock/") or sku not in STOCK:
            return self.answer(404, {"error": f"no route {self.path}"})
        self.answer(200, {"sku": sku, "available": STOCK[sku]})

    def body(self):
        if self.headers.get("transfer-encoding", "").lower() != "chunked":
            return self.rfile.read(int(self.headers.get("content-length", 0)))
        data = b""  # a streamed request: chunks of "<hex size>\r\n<bytes>\r\n", then "0\r\n", trailers, "\r\n"
        while size := int(self.rfile.readline().split(b";")[0], 16):
            data += self.rfile.read(size)
            self.rfile.readline()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        return data

    def answer(self, status, body):
        data = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # the sidecar logs the calls; keep the app's output for the app
        pass


HTTPServer(("127.0.0.1", int(os.environ.get("APP_PORT", "3002"))), Inventory).serve_forever()
