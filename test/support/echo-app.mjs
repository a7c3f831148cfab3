// A small app for end-to-end tests: echoes what it receives as JSON, with a few switches.
//   /status/<code>   answers with that status
//   /healthz         healthy unless a file named by HEALTH_FILE exists
//   /flaky/<n>/<key> 503 for the first n calls with that key, then 200 (the count is in the body)
//   /calls/<key>     how many calls /flaky/*/<key> has had
//   anything else    200 with the request as JSON
import { existsSync } from 'node:fs';
import http from 'node:http';

const port = Number(process.env.APP_PORT);
// A sidecar killed with SIGKILL cannot stop its app: leave with it rather than linger after the tests.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.exit(0), 200);
const calls = new Map();
http
  .createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    if (req.url === '/healthz') {
      res.statusCode = process.env.HEALTH_FILE && existsSync(process.env.HEALTH_FILE) ? 500 : 200;
      return res.end();
    }
    const flaky = /^\/flaky\/(\d+)\/([\w-]+)/.exec(req.url ?? '');
    if (flaky) {
      const n = (calls.get(flaky[2]) ?? 0) + 1;
      calls.set(flaky[2], n);
      res.statusCode = n <= Number(flaky[1]) ? 503 : 200;
      return res.end(JSON.stringify({ calls: n }));
    }
    const counted = /^\/calls\/([\w-]+)/.exec(req.url ?? '');
    if (counted) return res.end(JSON.stringify({ calls: calls.get(counted[1]) ?? 0 }));
    const status = /^\/status\/(\d{3})/.exec(req.url ?? '');
    res.statusCode = status ? Number(status[1]) : 200;
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-echo-app', process.env.APP_ID ?? '');
    res.end(
      JSON.stringify({
        app: process.env.APP_ID,
        pid: process.pid,
        method: req.method,
        url: req.url,
        headers: req.headers,
        bodyLength: body.length,
        body: body.length < 1024 ? body.toString('utf8') : undefined,
      }),
    );
  })
  .listen(port, '127.0.0.1');
