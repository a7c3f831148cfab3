// A subscriber app for the pub/sub end-to-end tests. Configured by the PUBSUB_APP environment variable
// (JSON): { "port": 1234, "subscriptions": [...] | null, "behaviors": { "/path": {...} } }.
//   GET  /dapr/subscribe   the configured subscriptions; 404 when there are none
//   GET  /received         every delivery so far: [{ path, headers, body, at, answer }] (answer: HTTP status or body status)
//   POST /behaviors        merges { "/path": behavior } into the behaviors
//   POST <any other path>  a delivery, answered as the path's behavior says:
//     { "status": "RETRY" }   2xx with that status body        { "http": 500 }   that HTTP status
//     { "flaky": true }       500 for the first two and every fifth delivery on the path
//     { "failForMs": 1500 }   500 until that long after the path's first delivery
//     { "delayMs": 50 }       waits before answering             { "bulkRetryOnce": true } bulk: RETRY each event's first delivery
import http from 'node:http';

const config = JSON.parse(process.env.PUBSUB_APP ?? '{}');
const behaviors = { ...(config.behaviors ?? {}) };
const received = [];
const perPath = new Map();
const seenEvents = new Set();

const json = (res, status, value, delivery) => {
  if (delivery) delivery.answer = value?.status ?? status;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};

http
  .createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/dapr/subscribe') return config.subscriptions ? json(res, 200, config.subscriptions) : json(res, 404, {});
    if (req.method === 'GET' && path === '/received') return json(res, 200, received);
    if (req.method === 'POST' && path === '/behaviors') {
      Object.assign(behaviors, JSON.parse(body));
      return json(res, 200, behaviors);
    }
    // Deliveries are POSTs; other calls of the sidecar (GET /dapr/config, OPTIONS probes) are not recorded.
    if (req.method !== 'POST') return json(res, 404, {});
    const at = Date.now();
    const d = { path, headers: req.headers, body, at };
    received.push(d);
    const b = behaviors[path] ?? {};
    const stats = perPath.get(path) ?? { count: 0, first: at };
    stats.count++;
    perPath.set(path, stats);
    if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
    if (b.http) return json(res, b.http, {}, d);
    if (b.flaky && (stats.count <= 2 || stats.count % 5 === 0)) return json(res, 500, {}, d);
    if (b.failForMs && at - stats.first < b.failForMs) return json(res, 500, {}, d);
    if (b.status) return json(res, 200, { status: b.status }, d);
    if (b.bulkRetryOnce) {
      const statuses = JSON.parse(body).entries.map((e) => {
        const id = e.event.id;
        const first = !seenEvents.has(id);
        seenEvents.add(id);
        return { entryId: e.entryId, status: first ? 'RETRY' : 'SUCCESS' };
      });
      return json(res, 200, { statuses }, d);
    }
    d.answer = 200;
    res.writeHead(200);
    res.end();
  })
  .listen(config.port, '127.0.0.1');
