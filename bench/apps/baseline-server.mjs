// The direct baseline: an HTTP server that does what the app would do without a sidecar, straight
// against the store or broker with its client library. Usage:
//   node baseline-server.mjs <port> state <memory|sqlite|redis> [sqlite file | redis host:port]
//   node baseline-server.mjs <port> publish <memory|redis|kafka> [redis host:port | kafka brokers] [deliver]
// GET /get/<key>, POST /save (body [{key, value}]), POST /publish (the body as message). With `deliver`, a
// consumer in this process records publish→receive latencies of the measured window (JSON body with the
// send time `t` and `m` = 1, as bench/apps/subscriber-app.mjs): GET /count → {all, measured}, GET /stats.
import { createServer } from 'node:http';

const [port, kind, backend, address, deliver] = process.argv.slice(2);
const now = () => performance.timeOrigin + performance.now();
const latencies = [];
let all = 0;
// A stream / topic of its own, so nothing left by an earlier run is read again.
const topic = `baseline-${process.pid}-${Date.now()}`;
const record = (buf) => {
  const received = now();
  const body = JSON.parse(buf.toString('utf8'));
  all++;
  if (body.m === 1 && Number.isFinite(body.t)) latencies.push(received - body.t);
};

async function stateOps() {
  if (backend === 'memory') {
    const m = new Map();
    return { get: async (k) => m.get(k), save: async (k, v) => void m.set(k, v) };
  }
  if (backend === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(address);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const get = db.prepare('SELECT value FROM state WHERE key = ?');
    const put = db.prepare('INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)');
    return { get: async (k) => get.get(k)?.value, save: async (k, v) => void put.run(k, v) };
  }
  const { Redis } = await import('ioredis');
  const [host, p] = address.split(':');
  const redis = new Redis({ host, port: Number(p) });
  return { get: (k) => redis.hget(`baseline||${k}`, 'data'), save: async (k, v) => void (await redis.hset(`baseline||${k}`, 'data', v, 'version', '1')) };
}

async function publisher() {
  if (backend === 'memory') return async () => undefined;
  if (backend === 'redis') {
    const { Redis } = await import('ioredis');
    const [host, p] = address.split(':');
    const redis = new Redis({ host, port: Number(p) });
    if (deliver) {
      const reader = new Redis({ host, port: Number(p) });
      await reader.xgroup('CREATE', topic, 'g', '$', 'MKSTREAM').catch(() => undefined);
      void (async () => {
        for (;;) {
          const res = await reader.xreadgroup('GROUP', 'g', 'c', 'COUNT', 100, 'BLOCK', 1000, 'STREAMS', topic, '>');
          for (const [, entries] of res ?? []) {
            for (const [id, fields] of entries) {
              record(Buffer.from(fields[1]));
              await reader.xack(topic, 'g', id);
            }
          }
        }
      })();
    }
    return async (body) => void (await redis.xadd(topic, '*', 'data', body));
  }
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'baseline', brokers: address.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  if (deliver) {
    const consumer = kafka.consumer({ groupId: `baseline-${process.pid}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({ eachMessage: async ({ message }) => record(message.value) });
  }
  return async (body) => void (await producer.send({ topic, messages: [{ value: body }] }));
}

const handlers = kind === 'state' ? await stateOps() : { publish: await publisher() };
createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    try {
      const body = Buffer.concat(chunks);
      if (req.url?.startsWith('/get/')) {
        const v = await handlers.get(req.url.slice(5));
        res.writeHead(v == null ? 204 : 200, { 'content-type': 'application/json' });
        return res.end(v ?? '');
      }
      if (req.url === '/save') {
        for (const item of JSON.parse(body.toString('utf8'))) await handlers.save(item.key, JSON.stringify(item.value));
        return res.writeHead(204).end();
      }
      if (req.url === '/publish') {
        await handlers.publish(body);
        return res.writeHead(204).end();
      }
      if (req.url === '/count') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ all, measured: latencies.length }));
      if (req.url === '/stats') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(latencies));
      res.writeHead(404).end();
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
}).listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
