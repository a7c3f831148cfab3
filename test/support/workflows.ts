import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A `kind: Workflow` document (JSON is YAML) with an inline ASL definition. */
export function workflowDoc(name: string, definition: object, spec: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: 'mecha.io/v1alpha1', kind: 'Workflow', metadata: { name }, spec: { ...spec, definition } }, null, 2);
}

export interface WorkflowStatus {
  instanceID: string;
  workflowName: string;
  createdAt: string;
  lastUpdatedAt: string;
  runtimeStatus: string;
  properties?: Record<string, string>;
}

/** The workflow API of a sidecar at `url`: start, get, the other operations, history. */
export function workflowClient(url: string, version = 'v1.0') {
  const base = `${url}/${version}/workflows/dapr`;
  const post = (path: string, body?: unknown) =>
    fetch(`${base}/${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return {
    post,
    async start(name: string, input: unknown, instanceId?: string): Promise<string> {
      const res = await post(`${name}/start${instanceId ? `?instanceID=${instanceId}` : ''}`, input);
      const body = (await res.json()) as { instanceID: string };
      if (res.status !== 202) throw new Error(`start ${name}: ${res.status} ${JSON.stringify(body)}`);
      return body.instanceID;
    },
    get: (id: string) => fetch(`${base}/${id}`),
    async status(id: string): Promise<WorkflowStatus> {
      const res = await fetch(`${base}/${id}`);
      if (res.status !== 200) throw new Error(`get ${id}: ${res.status} ${await res.text()}`);
      return (await res.json()) as WorkflowStatus;
    },
    async history(id: string): Promise<Array<{ seq: number; type: string; state?: string; details?: Record<string, unknown> }>> {
      const res = await fetch(`${base}/${id}/history`);
      if (res.status !== 200) throw new Error(`history ${id}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { events: [] }).events;
    },
    /** Polls (bounded) until the instance reaches one of `statuses`. */
    async waitFor(id: string, statuses: string[], timeoutMs = 20_000): Promise<WorkflowStatus> {
      const deadline = Date.now() + timeoutMs;
      let last: WorkflowStatus | undefined;
      while (Date.now() < deadline) {
        last = await this.status(id);
        if (statuses.includes(last.runtimeStatus)) return last;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`instance ${id} did not reach ${statuses.join('/')} within ${timeoutMs} ms: ${JSON.stringify(last)}`);
    },
    /** Polls (bounded) until the history holds an event of `type` (for `state`, when given). */
    async waitForEvent(id: string, type: string, state?: string, timeoutMs = 20_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if ((await this.history(id)).some((e) => e.type === type && (state === undefined || e.state === state))) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`instance ${id} recorded no ${type}${state ? ` for ${state}` : ''} within ${timeoutMs} ms`);
    },
  };
}

export interface AppCall {
  method: string;
  body: unknown;
  headers: IncomingMessage['headers'];
}

/**
 * A small HTTP app: `handlers[method](body)` answers `POST /<method>` (a thrown error is a 500 with its
 * message); every call is recorded.
 */
export async function startApp(handlers: Record<string, (body: any, call: AppCall) => unknown | Promise<unknown>>): Promise<{ port: number; calls: AppCall[]; close(): Promise<void> }> {
  const calls: AppCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const method = (req.url ?? '/').slice(1).split('?')[0];
      const text = Buffer.concat(chunks).toString('utf8');
      const call: AppCall = { method, body: text ? JSON.parse(text) : null, headers: req.headers };
      calls.push(call);
      const handler = handlers[method];
      if (!handler) return res.writeHead(404).end();
      try {
        const out = await handler(call.body, call);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out ?? null));
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end((err as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
