import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';
import { routeDoc, routeMetadata, startRecordingApp, waitFor } from '../routes/route-harness.js';

const topic = `route-e2e-${randomUUID().slice(0, 8)}`;
const cwd = mkdtempSync(join(tmpdir(), 'mecha-route-e2e-'));
let resources = '';
let app: Awaited<ReturnType<typeof startRecordingApp>>;
let mecha: MechaProcess;
let metricsPort = 0;

beforeAll(async () => {
  resources = resourcesDir({
    'bus.yaml': component('bus', 'pubsub.kafka', { brokers: inject('kafkaBrokers'), initialOffset: 'oldest', sessionTimeout: '6s', heartbeatInterval: '1s' }),
    'routes.yaml': [
      routeDoc(
        'github-in',
        `from: { http: { path: /hooks/github } }
steps:
  - filter: "event.data.ref == 'refs/heads/main'"
  - transform: { jsonata: "{ 'repo': repository.name, 'commits': $count(commits) }", setAttributes: { type: com.github.push } }
to: [{ pubsub: bus, topic: ${topic} }]`,
      ),
      routeDoc('pushes-to-app', `from: { pubsub: bus, topic: ${topic} }\nto: [{ invoke: { appId: route-e2e, method: pushes } }]`),
    ].join('---\n'),
  });
  app = await startRecordingApp();
  metricsPort = await freePort();
  mecha = await startMecha(['--app-id', 'route-e2e', '--app-port', String(app.port), '--resources-path', resources, '--metrics-port', String(metricsPort)], { cwd });
  await waitFor(async () => (await routeMetadata(mecha.url)).filter((r) => r.status === 'running').length === 2, 'routes running', 30_000);
}, 60_000);

afterAll(async () => {
  await mecha?.stop();
  await app?.close();
  rmSync(resources, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

describe('a route from a webhook to a Kafka topic to an app (built CLI)', () => {
  it('delivers the webhook through Kafka to the app, with the trace context and CloudEvent attributes', async () => {
    const traceparent = '00-11112222333344445555666677778888-1111222233334444-01';
    const post = (ref: string) =>
      fetch(`${mecha.url}/hooks/github`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push', traceparent }, body: JSON.stringify({ ref, repository: { name: 'mecha' }, commits: [{}, {}] }) });
    expect((await post('refs/heads/feature')).status).toBe(204);
    expect((await post('refs/heads/main')).status).toBe(204);
    const got = await waitFor(() => app.on('/pushes')[0], 'the push at the app', 45_000);
    expect(got.body).toEqual({ repo: 'mecha', commits: 2 });
    expect(got.headers).toMatchObject({ 'ce-type': 'com.github.push', 'ce-source': '/hooks/github', 'ce-topic': topic, 'ce-pubsubname': 'bus' });
    expect(String(got.headers.traceparent).split('-')[1]).toBe('11112222333344445555666677778888');
    const routes = await routeMetadata(mecha.url);
    expect(routes.find((r) => r.name === 'github-in')!.counters).toEqual({ in: 2, out: 1, filtered: 1, failed: 0, deadLettered: 0 });
    expect(routes.find((r) => r.name === 'pushes-to-app')!.counters).toMatchObject({ in: 1, out: 1 });
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/mecha_route_messages_total\{app_id="route-e2e",route="github-in",outcome="filtered"\} 1/);
  }, 60_000);
});
