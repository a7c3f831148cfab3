// Subscribes to topic "bench" of pub/sub "pubsub" and records, per delivered event, now minus the send
// time stamped in its data (ms, performance.timeOrigin + performance.now(), comparable across processes).
// GET /stats returns and clears them. Usage: node subscriber-app.mjs <port>
import { createServer } from 'node:http';

const now = () => performance.timeOrigin + performance.now();
let latencies = [];
createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/dapr/subscribe') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify([{ pubsubname: 'pubsub', topic: 'bench', route: '/bench' }]));
    }
    if (req.method === 'GET' && req.url === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(latencies));
      latencies = [];
      return;
    }
    if (req.method === 'POST' && req.url === '/bench') {
      const sent = Number(JSON.parse(Buffer.concat(chunks).toString('utf8')).data?.t);
      if (Number.isFinite(sent)) latencies.push(now() - sent);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"status":"SUCCESS"}');
    }
    res.writeHead(404).end();
  });
}).listen(Number(process.argv[2]), '127.0.0.1', () => process.send?.('ready'));
