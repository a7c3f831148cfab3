"""Drives the sidecar through the Python SDK's DaprClient (gRPC; invoke_method over HTTP, the SDK's
default). Each step's outcome, or the error it raised, goes into one JSON report on stdout."""

import json
import sys
import traceback

from dapr.clients import DaprClient
from dapr.clients.exceptions import DaprGrpcError
from dapr.clients.grpc._request import TransactionalStateOperation, TransactionOperationType
from dapr.clients.grpc._state import StateItem

APP_ID = sys.argv[1]
report = {}


def step(name):
    def run(fn):
        try:
            report[name] = fn()
        except DaprGrpcError as err:
            report[name] = {'raised': type(err).__name__, 'grpc': err.code().name, 'errorCode': err.error_code(), 'message': err.details()}
        except Exception as err:  # noqa: BLE001 - the report names any failure
            report[name] = {'raised': type(err).__name__, 'message': str(err), 'trace': traceback.format_exc()}
        return fn

    return run


def grpc_error(fn):
    try:
        fn()
    except DaprGrpcError as err:
        return {'grpc': err.code().name, 'errorCode': err.error_code()}
    return None


with DaprClient() as d:

    @step('state')
    def _():
        d.save_state('statestore', 'py-k', 'v1')
        first = d.get_state('statestore', 'py-k')
        stale = grpc_error(lambda: d.save_state('statestore', 'py-k', 'v2', etag='999'))
        d.save_state('statestore', 'py-k', 'v2', etag=first.etag)
        second = d.get_state('statestore', 'py-k')
        stale_delete = grpc_error(lambda: d.delete_state('statestore', 'py-k', etag=first.etag))
        d.delete_state('statestore', 'py-k', etag=second.etag)
        gone = d.get_state('statestore', 'py-k')
        return {'first': first.text(), 'firstEtag': first.etag, 'staleSave': stale, 'second': second.text(), 'etagChanged': second.etag != first.etag,
                'staleDelete': stale_delete, 'afterDelete': gone.text(), 'afterDeleteEtag': gone.etag}

    @step('bulkState')
    def _():
        d.save_bulk_state('statestore', [StateItem(key='py-b1', value='one'), StateItem(key='py-b2', value='two')])
        items = d.get_bulk_state('statestore', ['py-b1', 'py-b2', 'py-missing']).items
        return sorted([{'key': i.key, 'data': i.data.decode('utf-8'), 'hasEtag': bool(i.etag)} for i in items], key=lambda x: x['key'])

    @step('transaction')
    def _():
        d.execute_state_transaction('statestore', [
            TransactionalStateOperation(key='py-t1', data='t1', operation_type=TransactionOperationType.upsert),
            TransactionalStateOperation(key='py-b1', operation_type=TransactionOperationType.delete),
        ])
        return {'t1': d.get_state('statestore', 'py-t1').text(), 'b1': d.get_state('statestore', 'py-b1').text()}

    @step('publish')
    def _():
        d.publish_event('pubsub', 'orders', json.dumps({'order': 1}), data_content_type='application/json')
        # Matches no rule of "alerts": dropped, never handed to a handler.
        d.publish_event('pubsub', 'alerts', json.dumps({'order': 3}), data_content_type='application/json')
        urgent = {'specversion': '1.0', 'id': 'py-urgent-1', 'source': 'python-client', 'type': 'urgent', 'datacontenttype': 'application/json', 'data': {'order': 2}}
        d.publish_event('pubsub', 'alerts', json.dumps(urgent), data_content_type='application/cloudevents+json')
        return 'ok'

    @step('bulkPublish')
    def _():
        res = d.publish_events('pubsub', 'bulk-orders', [json.dumps({'n': n}) for n in range(3)], data_content_type='application/json')
        return {'failed': len(res.failed_entries)}

    @step('invoke')
    def _():
        res = d.invoke_method(APP_ID, 'echo', data='hello', content_type='text/plain', http_verb='POST')
        return json.loads(res.text())

    @step('bindings')
    def _():
        d.invoke_binding('files', 'create', data='file body', binding_metadata={'fileName': 'py.txt'})
        return d.invoke_binding('files', 'get', binding_metadata={'fileName': 'py.txt'}).text()

    @step('secrets')
    def _():
        one = dict(d.get_secret('secretstore', 'db-password').secret)
        every = d.get_bulk_secret('secretstore').secrets
        return {'one': one, 'bulkKeys': sorted(every.keys())}

    @step('metadata')
    def _():
        m = d.get_metadata()
        return {'appId': m.application_id, 'components': sorted(c.name for c in m.registered_components)}

    @step('lock')
    def _():
        first = d.try_lock('lockstore', 'py-resource', 'owner-a', 60).success
        second = d.try_lock('lockstore', 'py-resource', 'owner-b', 60).success
        wrong = d.unlock('lockstore', 'py-resource', 'owner-b').status.name
        right = d.unlock('lockstore', 'py-resource', 'owner-a').status.name
        return {'first': first, 'second': second, 'unlockByOther': wrong, 'unlock': right}

    @step('configuration')
    def _():
        items = d.get_configuration('configstore', ['greeting']).items
        return {k: {'value': v.value, 'version': v.version} for k, v in items.items()}

    @step('missingStore')
    def _():
        return grpc_error(lambda: d.get_state('no-such-store', 'k'))

print(json.dumps(report, default=str))
