// Subscribes to <topic> of pub/sub "pubsub" and records, per delivered event of the measured window
// (`m` = 1 in its data), now minus the send time stamped in it (`t`, ms since the epoch from
// performance.timeOrigin + performance.now(), comparable across processes on one machine).
// GET /count → {all, measured}; GET /stats → the measured latencies. Usage: node subscriber-app.mjs <port> <topic>
import { createServer } from 'node:http';

const now = () => performance.timeOrigin + performance.now();
const latencies = [];
let all = 0;
const json = (res, value) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));

createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/dapr/subscribe') return json(res, [{ pubsubname: 'pubsub', topic: process.argv[3], route: '/bench' }]);
    if (req.method === 'GET' && req.url === '/count') return json(res, { all, measured: latencies.length });
    if (req.method === 'GET' && req.url === '/stats') return json(res, latencies);
    if (req.method === 'POST' && req.url === '/bench') {
      const received = now();
      const data = JSON.parse(Buffer.concat(chunks).toString('utf8')).data;
      all++;
      if (data?.m === 1 && Number.isFinite(data.t)) latencies.push(received - data.t);
      return json(res, { status: 'SUCCESS' });
    }
    res.writeHead(404).end();
  });
}).listen(Number(process.argv[2]), '127.0.0.1', () => process.send?.('ready'));
