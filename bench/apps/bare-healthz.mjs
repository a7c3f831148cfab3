// The floor for startup and idle memory: a bare Node HTTP server that answers GET /v1.0/healthz with 204,
// started and measured exactly like the sidecar. Usage: node bare-healthz.mjs <port>
import { createServer } from 'node:http';

createServer((req, res) => res.writeHead(req.url === '/v1.0/healthz' ? 204 : 404).end()).listen(Number(process.argv[2]), '127.0.0.1');
