"""A gRPC app written with the Python SDK's dapr.ext.grpc.App, started by the sidecar (`-- python app.py`).

It subscribes to topic "orders" (default route) and to "alerts" with a rule for events of type "urgent"
(as in daprd, a topic with rules has no fallback to the default handler), takes the bulk deliveries of
"bulk-orders" (a declarative subscription with bulkSubscribe routes them to `on_bulk`), listens to input
binding "ticks", and answers the methods "echo" and "received" (what it got so far).
"""

import json
import os
import threading

from dapr.ext.grpc import App, BindingRequest, InvokeMethodRequest, InvokeMethodResponse, Rule, SubscriptionMessage

app = App()
_received = []
_lock = threading.Lock()


def _record(**entry):
    with _lock:
        _received.append(entry)


def _event(handler, event: SubscriptionMessage):
    _record(kind='event', handler=handler, topic=event.topic(), pubsub=event.pubsub_name(), id=event.id(),
            type=event.type(), data=event.data())


@app.subscribe(pubsub_name='pubsub', topic='orders')
def orders(event: SubscriptionMessage) -> None:
    _event('orders', event)


@app.subscribe(pubsub_name='pubsub', topic='alerts', rule=Rule('event.type == "urgent"', 1))
def urgent(event: SubscriptionMessage) -> None:
    _event('urgent', event)


@app.subscribe(pubsub_name='pubsub', topic='bulk-orders', rule=Rule('true', 1))
def on_bulk(event: SubscriptionMessage) -> None:
    _event('on_bulk', event)


@app.binding('ticks')
def ticks(request: BindingRequest) -> None:
    _record(kind='binding', name='ticks')


@app.method(name='echo')
def echo(request: InvokeMethodRequest) -> InvokeMethodResponse:
    body = {'data': request.text(), 'contentType': request.content_type}
    return InvokeMethodResponse(json.dumps(body).encode('utf-8'), 'application/json')


@app.method(name='received')
def received(request: InvokeMethodRequest) -> InvokeMethodResponse:
    with _lock:
        body = json.dumps(_received)
    return InvokeMethodResponse(body.encode('utf-8'), 'application/json')


app.run(int(os.environ['APP_PORT']))
