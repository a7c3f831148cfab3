// A loopback OTLP/HTTP trace receiver that discards what it gets: the export target of the tracing cost
// rows. It answers every POST /v1/traces with an empty ExportTraceServiceResponse and counts the exports
// and bytes, which GET /count returns so a run can prove spans were really sent. Usage: node otlp-sink.mjs <port>
import { createServer } from 'node:http';

let exports = 0;
let bytes = 0;
createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/count') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ exports, bytes }));
  req.on('data', (c) => (bytes += c.length));
  req.on('end', () => {
    if (req.method === 'POST' && req.url === '/v1/traces') exports += 1;
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 }).end();
  });
}).listen(Number(process.argv[2]), '127.0.0.1', () => process.send?.('ready'));
