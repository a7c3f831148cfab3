// `npm start`: builds the bundle only when a source is newer than it (scripts/bundle.mjs), then runs the
// CLI in this same process, so the signals npm forwards (SIGINT, SIGTERM) reach the sidecar itself and it
// stops its app before exiting. Arguments are those of `mecha`.
import { buildBundle, staleReason } from './bundle.mjs';

const reason = staleReason();
if (reason) {
  process.stderr.write(`mecha: building dist/bundle (${reason})\n`);
  await buildBundle();
}
await import('../dist/bundle/main.js');
