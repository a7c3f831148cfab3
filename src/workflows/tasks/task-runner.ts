import type { InvocationApi } from '../../core/invocation/invocation-api.js';
import type { BuildingBlocks } from '../../runtime/building-blocks.js';
import { bufferBody, readAll } from '../../util/body-streams.js';
import { AslError, StatesError } from '../asl/errors.js';
import { parseResource, type TaskResource } from './resource-uri.js';
import { IDEMPOTENCY_CLOUDEVENT_ATTRIBUTE, IDEMPOTENCY_HEADER, IDEMPOTENCY_METADATA, TaskError, taskFailure } from './task-errors.js';

/** One Task attempt: what to call, with what, and the key the callee can deduplicate it by. */
export interface TaskCall {
  resource: string;
  input: unknown;
  idempotencyKey: string;
}

export type TaskRunner = (call: TaskCall) => Promise<unknown>;

/** The building-block cores a Task reaches (never components directly: resiliency, ACLs and tracing apply). */
export interface TaskCores {
  appId: string;
  blocks: Pick<BuildingBlocks, 'state' | 'pubsub' | 'bindings'>;
  invocation: Pick<InvocationApi, 'invoke'>;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v ?? null));

/** A body as a value: JSON when it parses, else its text; nothing is null. */
function decode(data: Buffer | undefined): unknown {
  if (!data || data.length === 0) return null;
  const text = data.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Runs Tasks against the building blocks; a failure is an AslError named after the building block. */
export function taskRunner(cores: TaskCores): TaskRunner {
  return async (call) => {
    const resource = parseResource(call.resource);
    if ('problem' in resource) throw new AslError(StatesError.Runtime, `Resource ${resource.problem}`);
    switch (resource.kind) {
      case 'invoke':
        return invoke(cores, resource, call);
      case 'publish':
        return publish(cores, resource, call);
      case 'binding':
        return binding(cores, resource, call);
      case 'state':
        return state(cores, resource, call);
      case 'event':
        throw new AslError(StatesError.Runtime, 'event: tasks wait for raised events; the engine handles them');
    }
  };
}

async function invoke(cores: TaskCores, r: Extract<TaskResource, { kind: 'invoke' }>, call: TaskCall): Promise<unknown> {
  const body = json(call.input);
  let status: number;
  let answer: Buffer;
  try {
    const res = await cores.invocation.invoke(
      r.appId,
      {
        method: r.method,
        verb: 'POST',
        query: '',
        headers: { 'content-type': ['application/json'], [IDEMPOTENCY_HEADER]: [call.idempotencyKey] },
        body: bufferBody(body),
        buffered: body,
      },
      body,
    );
    status = res.status;
    answer = res.buffered ?? (await readAll(res.body));
  } catch (err) {
    throw taskFailure(TaskError.InvokeFailed, err);
  }
  if (status < 200 || status > 299) {
    throw new AslError(TaskError.InvokeFailed, `${r.appId}/${r.method} answered with status ${status}: ${answer.toString('utf8').slice(0, 500)}`);
  }
  return decode(answer);
}

async function publish(cores: TaskCores, r: Extract<TaskResource, { kind: 'publish' }>, call: TaskCall): Promise<unknown> {
  // The CloudEvent is ours so the key travels in it: as the event id (which subscribers deduplicate by) and as an extension.
  const event = {
    specversion: '1.0',
    id: call.idempotencyKey,
    source: cores.appId,
    type: 'com.dapr.event.sent',
    datacontenttype: 'application/json',
    [IDEMPOTENCY_CLOUDEVENT_ATTRIBUTE]: call.idempotencyKey,
    data: call.input ?? null,
  };
  try {
    await cores.blocks.pubsub.publish({
      pubsubName: r.pubsub,
      topic: r.topic,
      data: json(event),
      contentType: 'application/cloudevents+json',
      metadata: { [IDEMPOTENCY_METADATA]: call.idempotencyKey },
      traceparent: '',
      tracestate: '',
    });
  } catch (err) {
    throw taskFailure(TaskError.PublishFailed, err);
  }
  return null;
}

/** The input has the shape of Dapr's binding request without `operation`: `{data, metadata}`. */
async function binding(cores: TaskCores, r: Extract<TaskResource, { kind: 'binding' }>, call: TaskCall): Promise<unknown> {
  const input = (typeof call.input === 'object' && call.input !== null ? call.input : {}) as { data?: unknown; metadata?: unknown };
  const metadata: Record<string, string> = {};
  if (typeof input.metadata === 'object' && input.metadata !== null) {
    for (const [k, v] of Object.entries(input.metadata)) metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  metadata[IDEMPOTENCY_METADATA] = call.idempotencyKey;
  const data = typeof input.data === 'string' ? Buffer.from(input.data) : json(input.data);
  try {
    const res = await cores.blocks.bindings.invoke(r.name, { operation: r.operation, data, metadata });
    return decode(res.data);
  } catch (err) {
    throw taskFailure(TaskError.BindingFailed, err);
  }
}

async function state(cores: TaskCores, r: Extract<TaskResource, { kind: 'state' }>, call: TaskCall): Promise<unknown> {
  const input = call.input as { key?: unknown; value?: unknown } | null;
  if (typeof input?.key !== 'string' || input.key === '') throw new AslError(TaskError.StateFailed, `state:${r.store}/${r.operation} needs an input with a string "key"`);
  const key = input.key;
  try {
    if (r.operation === 'get') return decode((await cores.blocks.state.get({ storeName: r.store, key, metadata: {} }))?.data);
    if (r.operation === 'save') {
      await cores.blocks.state.save({ storeName: r.store, items: [{ key, value: { data: json(input.value), binary: false } }], metadata: {} });
    } else {
      await cores.blocks.state.delete({ storeName: r.store, key, metadata: {} });
    }
    return null;
  } catch (err) {
    throw taskFailure(TaskError.StateFailed, err);
  }
}

