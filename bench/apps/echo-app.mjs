// The app behind the sidecar (and the direct baseline): answers every request with the body it got, or
// 1 KB when there was none; it subscribes to nothing. Usage: node echo-app.mjs <port>
import { createServer } from 'node:http';

const KB = Buffer.alloc(1024, 'x');
createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/dapr/subscribe') return res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    const body = chunks.length > 0 ? Buffer.concat(chunks) : KB;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
}).listen(Number(process.argv[2]), '127.0.0.1', () => process.send?.('ready'));
