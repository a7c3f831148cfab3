// The app workflow Tasks call in the workflow benchmark: `POST /step` answers `{}`, `POST /done` marks an
// instance finished; `GET /count` tells how many of each arrived. Usage: node workflow-app.mjs <port>
import { createServer } from 'node:http';

const count = { steps: 0, done: 0 };
createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/dapr/subscribe') return res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    if (req.url === '/count') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(count));
    if (req.url === '/step') count.steps++;
    else if (req.url === '/done') count.done++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
}).listen(Number(process.argv[2]), '127.0.0.1', () => process.send?.('ready'));
