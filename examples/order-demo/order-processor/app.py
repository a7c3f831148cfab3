"""order-processor: receives the orders published on topic `orders`, keeps each one as state and
reserves its items in `inventory` through service invocation. Standard library only, no SDK."""
import json
import os
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DAPR = f"http://127.0.0.1:{os.environ.get('DAPR_HTTP_PORT', '3500')}"
STATE_STORE = 'statestore'
SUBSCRIPTIONS = [{'pubsubname': 'pubsub', 'topic': 'orders', 'route': '/orders'}]


def log(message):
    print(message, flush=True)


def dapr(method, path, body=None):
    """One call to the sidecar's HTTP API; returns the decoded JSON answer (None when empty)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(DAPR + path, data=data, method=method, headers={'content-type': 'application/json'})
    with urllib.request.urlopen(request, timeout=15) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def save(order, **fields):
    dapr('POST', f'/v1.0/state/{STATE_STORE}', [{'key': order['orderId'], 'value': {**order, **fields}}])


def invalid(order):
    """What is wrong with an order, or None. A malformed order can never succeed, so it is dropped."""
    if not isinstance(order, dict):
        return 'data: expected an order object'
    if not isinstance(order.get('orderId'), str) or not order['orderId']:
        return 'orderId: expected a non-empty string'
    if not isinstance(order.get('item'), str):
        return 'item: expected a string'
    quantity = order.get('quantity')
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        return 'quantity: expected a positive integer'
    return None


def process(order):
    save(order, status='received')
    reservation = {key: order[key] for key in ('orderId', 'item', 'quantity')}
    try:
        outcome = dapr('POST', '/v1.0/invoke/inventory/method/reserve', reservation)
    except urllib.error.HTTPError as err:
        if not 400 <= err.code < 500:
            raise
        # inventory refused the order itself (unknown item, bad id): asking again cannot help.
        outcome = {'reserved': False, 'reason': err.read().decode(errors='replace').strip()}
    if outcome.get('reserved'):
        save(order, status='reserved', receipt=outcome.get('receipt'))
        log(f"{order['orderId']}: {order['quantity']} x {order['item']} reserved, receipt {outcome.get('receipt')}")
    else:
        save(order, status='rejected', reason=outcome.get('reason'))
        log(f"{order['orderId']}: rejected by inventory: {outcome.get('reason')}")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == '/dapr/subscribe':
            return self.reply(200, SUBSCRIPTIONS)
        self.reply(404, {'error': f'no route {self.path}'})

    def do_POST(self):
        length = int(self.headers.get('content-length') or 0)
        body = self.rfile.read(length)
        if self.path != '/orders':
            return self.reply(404, {'error': f'no route {self.path}'})
        try:
            order = json.loads(body).get('data')
        except (ValueError, AttributeError):
            order = None
        problem = invalid(order)
        if problem:
            log(f'dropping a malformed order: {problem}')
            return self.reply(200, {'status': 'DROP'})
        try:
            process(order)
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors='replace').strip()
            log(f"{order['orderId']}: will retry, sidecar answered {err.code}: {detail}")
            return self.reply(200, {'status': 'RETRY'})
        except (urllib.error.URLError, OSError, ValueError) as err:
            log(f"{order['orderId']}: will retry: {err}")
            return self.reply(200, {'status': 'RETRY'})
        self.reply(200, {'status': 'SUCCESS'})

    def reply(self, status, body):
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('content-type', 'application/json')
        self.send_header('content-length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):
        pass  # one line per order is printed above; per-request access logs would drown it


def main():
    port = os.environ.get('APP_PORT')
    if not port:
        sys.exit('APP_PORT is not set: start me with `mecha run --app-port <port> -- python3 app.py`')
    server = ThreadingHTTPServer(('127.0.0.1', int(port)), Handler)
    log(f'order-processor listening on 127.0.0.1:{port}, subscribed to pubsub/orders')
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
