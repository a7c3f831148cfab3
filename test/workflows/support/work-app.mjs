// An app for workflow tests: slow work that counts, per workflow instance, how many calls run at once.
//   POST /work/<ms>  answers after <ms> with what it got; the instance is the idempotency key's first part
//   POST /status/<code> answers with that status (counted like work)
//   POST /gated      like /work/0, but waits while the gate is closed (POST /gate/close, /gate/open)
//   POST /events     a pub/sub delivery: kept for /stats
//   GET  /dapr/subscribe  none (subscriptions are declarative)
//   GET  /stats      { maxConcurrent: {instance: n}, calls: {idempotencyKey: n}, events: [CloudEvent] }
import http from 'node:http';

const port = Number(process.env.APP_PORT);
const running = new Map();
const maxConcurrent = {};
const calls = {};
const events = [];
let gate;
// The test process starts this app: leave with it rather than linger.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.exit(0), 200).unref();

http
  .createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    res.setHeader('content-type', 'application/json');
    if (req.url === '/stats') return res.end(JSON.stringify({ maxConcurrent, calls, events }));
    if (req.url === '/dapr/subscribe') return res.end('[]');
    if (req.url === '/gate/close') {
      let open;
      gate ??= { opened: new Promise((r) => (open = r)), open };
      return res.end('{}');
    }
    if (req.url === '/gate/open') {
      gate?.open();
      gate = undefined;
      return res.end('{}');
    }
    if (req.url === '/events') {
      events.push(JSON.parse(Buffer.concat(chunks).toString()));
      return res.end('{"status":"SUCCESS"}');
    }
    const key = String(req.headers['mecha-idempotency-key'] ?? '');
    const status = /^\/status\/(\d{3})/.exec(req.url ?? '');
    if (status) {
      calls[key] = (calls[key] ?? 0) + 1;
      res.statusCode = Number(status[1]);
      return res.end(JSON.stringify({ refused: key }));
    }
    const work = req.url === '/gated' ? [req.url, '0'] : /^\/work\/(\d+)/.exec(req.url ?? '');
    if (!work) return res.end(JSON.stringify({ path: req.url }));
    const instance = key.split('/')[0];
    running.set(instance, (running.get(instance) ?? 0) + 1);
    maxConcurrent[instance] = Math.max(maxConcurrent[instance] ?? 0, running.get(instance));
    calls[key] = (calls[key] ?? 0) + 1;
    await new Promise((r) => setTimeout(r, Number(work[1])));
    if (req.url === '/gated') await gate?.opened;
    running.set(instance, running.get(instance) - 1);
    const body = Buffer.concat(chunks).toString();
    res.end(JSON.stringify({ key, input: body ? JSON.parse(body) : null }));
  })
  .listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
