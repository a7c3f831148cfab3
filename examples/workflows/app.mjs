// app.mjs: the shop's three endpoints the order workflow calls through the sidecar (plain HTTP, no SDK).
// Each call carries `mecha-idempotency-key` (<instance>/<state>/<attempt>): a retried or replayed call
// with a key already seen gets the answer it got the first time.
import { createServer } from 'node:http';

const stock = new Map([['book', 5], ['lamp', 2]]);
const answered = new Map();

const handlers = {
  reserve: (order) => {
    const left = stock.get(order.item) ?? 0;
    if (left < order.quantity) throw new Error(`only ${left} ${order.item} left`);
    stock.set(order.item, left - order.quantity);
    return { reservationId: `res-${order.orderId}` };
  },
  // Card 0000 is always declined.
  charge: (order) => {
    if (order.card === '0000') throw new Error('card declined');
    return { chargedCents: Math.round(order.total * 100) };
  },
  release: (order) => {
    stock.set(order.item, (stock.get(order.item) ?? 0) + order.quantity);
    return { released: order.reservation.reservationId };
  },
};

createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const handler = handlers[req.url.slice(1)];
    if (!handler) return res.writeHead(404).end();
    const key = req.headers['mecha-idempotency-key'];
    try {
      const answer = answered.get(key) ?? JSON.stringify(handler(JSON.parse(body)));
      if (key) answered.set(key, answer);
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message);
    }
  });
}).listen(Number(process.env.APP_PORT ?? 3001), '127.0.0.1');
