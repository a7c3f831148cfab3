import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import pino from 'pino';
import { parseRunArgs } from '../../src/cli/parse-run-args.js';
import { Sidecar } from '../../src/sidecar.js';
import { freePort } from '../support/mecha-process.js';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** An app that records every request it accepts and counts every attempt; paths in `failing` answer 500. */
export async function startRecordingApp(onPort?: number): Promise<{ port: number; received: Received[]; failing: Set<string>; attempts: Map<string, number>; on(path: string): Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const failing = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/dapr/subscribe') return res.end('[]');
      if (path === '/dapr/config') return res.writeHead(404).end();
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* kept as text */
      }
      attempts.set(path, (attempts.get(path) ?? 0) + 1);
      if (failing.has(path)) return res.writeHead(500).end('refused');
      received.push({ path, headers: req.headers, body });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, path }));
    });
  });
  const port = onPort ?? (await freePort());
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port,
    received,
    failing,
    attempts,
    on: (path) => received.filter((r) => r.path === path),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** An in-process sidecar on the resources folder; `lines` collects its log. */
export async function startSidecar(appId: string, dir: string, appPort?: number, extra: string[] = []): Promise<{ sidecar: Sidecar; base: string; lines: Array<Record<string, unknown>> }> {
  const args = ['--app-id', appId, '--resources-path', dir, '--dapr-grpc-port', '0', '--metrics-port', '0', '--enable-metrics=false', ...extra];
  if (appPort !== undefined) args.push('--app-port', String(appPort));
  const { options } = parseRunArgs(args, process.env, dir);
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const sidecar = await Sidecar.start({ ...options, httpPort: 0 }, logger, () => undefined);
  return { sidecar, base: `http://127.0.0.1:${sidecar.httpPort}`, lines };
}

/** Polls (bounded in count and time) until `check` returns a value other than undefined/false. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<Exclude<T, undefined | false>> {
  const until = Date.now() + timeoutMs;
  for (let i = 0; i < 2000 && Date.now() < until; i++) {
    const v = await check();
    if (v !== undefined && v !== false) return v as Exclude<T, undefined | false>;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A Route document. */
export function routeDoc(name: string, spec: string, scopes?: string[]): string {
  return `apiVersion: mecha.io/v1alpha1\nkind: Route\nmetadata:\n  name: ${name}\n${scopes ? `scopes: [${scopes.join(', ')}]\n` : ''}spec:\n${spec.replace(/^/gm, '  ')}\n`;
}

/** A declarative Subscription delivering the topic to `/out/<topic>` of the app. */
export function subscriptionDoc(pubsub: string, topic: string): string {
  return `apiVersion: dapr.io/v2alpha1\nkind: Subscription\nmetadata:\n  name: sub-${topic}\nspec:\n  pubsubname: ${pubsub}\n  topic: ${topic}\n  routes:\n    default: /out/${topic}\n`;
}

/** The route counters listed in the metadata API. */
export async function routeMetadata(base: string): Promise<Array<{ name: string; status: string; error?: string; steps: string[]; counters: Record<string, number> }>> {
  const md = (await (await fetch(`${base}/v1.0/metadata`)).json()) as { extended: Record<string, string> };
  return md.extended.routes ? (JSON.parse(md.extended.routes) as never) : [];
}

export const publish = (base: string, pubsub: string, topic: string, data: unknown) =>
  fetch(`${base}/v1.0/publish/${pubsub}/${topic}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) });
