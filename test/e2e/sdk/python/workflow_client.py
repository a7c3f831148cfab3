"""Manages a workflow through the Python SDK's generated Dapr stub (dapr.proto.runtime.v1): the SDK 1.19
DaprClient no longer wraps these RPCs, but its protos are the ones Dapr publishes, so the field numbers
and names are checked against ours. One JSON report on stdout."""

import json
import os
import sys
import time

import grpc
from dapr.proto.runtime.v1 import dapr_pb2_grpc, workflow_pb2

INSTANCE = sys.argv[1]
channel = grpc.insecure_channel(f"127.0.0.1:{os.environ['DAPR_GRPC_PORT']}")
stub = dapr_pb2_grpc.DaprStub(channel)
report = {}


def status():
    res = stub.GetWorkflowBeta1(workflow_pb2.GetWorkflowRequest(instance_id=INSTANCE, workflow_component='dapr'), timeout=10)
    return {
        'instance_id': res.instance_id,
        'workflow_name': res.workflow_name,
        'runtime_status': res.runtime_status,
        'created_at_set': res.created_at.seconds > 0,
        'properties': dict(res.properties),
    }


def wait_for(statuses):
    deadline = time.time() + 20
    while time.time() < deadline:
        s = status()
        if s['runtime_status'] in statuses:
            return s
        time.sleep(0.05)
    return status()


started = stub.StartWorkflowBeta1(
    workflow_pb2.StartWorkflowRequest(instance_id=INSTANCE, workflow_component='dapr', workflow_name='approval', input=json.dumps({'order': 'py'}).encode()),
    timeout=10,
)
report['started'] = started.instance_id
report['running'] = wait_for(['RUNNING'])
stub.PauseWorkflowBeta1(workflow_pb2.PauseWorkflowRequest(instance_id=INSTANCE, workflow_component='dapr'), timeout=10)
report['paused'] = status()['runtime_status']
stub.ResumeWorkflowBeta1(workflow_pb2.ResumeWorkflowRequest(instance_id=INSTANCE, workflow_component='dapr'), timeout=10)
stub.RaiseEventWorkflowBeta1(
    workflow_pb2.RaiseEventWorkflowRequest(instance_id=INSTANCE, workflow_component='dapr', event_name='approved', event_data=json.dumps({'by': 'py'}).encode()),
    timeout=10,
)
report['completed'] = wait_for(['COMPLETED', 'FAILED'])
stub.PurgeWorkflowBeta1(workflow_pb2.PurgeWorkflowRequest(instance_id=INSTANCE, workflow_component='dapr'), timeout=10)
try:
    stub.TerminateWorkflowBeta1(workflow_pb2.TerminateWorkflowRequest(instance_id=INSTANCE, workflow_component='dapr'), timeout=10)
    report['terminatePurged'] = 'ok'
except grpc.RpcError as err:
    report['terminatePurged'] = {'code': err.code().name, 'details': err.details()}
print(json.dumps(report))
