import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { resourcesDir } from '../support/resources.js';

let external: Server;
let port = 0;
let mecha: MechaProcess;

beforeAll(async () => {
  external = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ url: req.url, method: req.method, auth: req.headers['x-api-key'] ?? null }));
  });
  await new Promise<void>((r) => external.listen(0, '127.0.0.1', r));
  port = (external.address() as { port: number }).port;
  const endpoint = `apiVersion: dapr.io/v1alpha1
kind: HTTPEndpoint
metadata:
  name: weather
spec:
  baseUrl: http://127.0.0.1:${port}/api
  headers:
    - name: x-api-key
      value: k3y
`;
  mecha = await startMecha(['--app-id', 'ext', '--resources-path', resourcesDir({ 'endpoint.yaml': endpoint })]);
});

afterAll(async () => {
  await mecha?.stop();
  external?.close();
});

describe('invoking services outside the mesh', () => {
  it('calls an HTTPEndpoint by name with its base URL and headers', async () => {
    const res = await fetch(`${mecha.url}/v1.0/invoke/weather/method/today?city=oslo`);
    expect(await res.json()).toEqual({ url: '/api/today?city=oslo', method: 'GET', auth: 'k3y' });
    const md = (await (await fetch(`${mecha.url}/v1.0/metadata`)).json()) as { httpEndpoints: unknown };
    expect(md.httpEndpoints).toEqual([{ name: 'weather' }]);
  });

  it('calls a URL given as the target id', async () => {
    const target = encodeURIComponent(`http://127.0.0.1:${port}`);
    const res = await fetch(`${mecha.url}/v1.0/invoke/${target}/method/direct`, { method: 'POST', body: 'x' });
    expect(await res.json()).toEqual({ url: '/direct', method: 'POST', auth: null });
  });
});
