#!/usr/bin/env -S node --max-semi-space-size=1
// What `mecha` runs: compiling the CLI bundle is a third of a cold start, so it is compiled with the
// V8 code cache the build recorded during a warm-up start (scripts/code-cache.mjs). A cache V8
// rejects only costs the compile time back.
//
// The V8 flags on the first line size the heap for a sidecar, one per pod: semi-spaces of 1 MB instead of
// up to 16 MB keep the young generation from growing to ~48 MB under load (about 10 MB less RSS, a few
// more, shorter scavenges). V8 reads them only at start, and a code cache is valid only for the flags it
// was recorded with: whoever runs `node main.js` should pass them too (launcherNodeFlags reads them).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileBundle } from './bundle-loader.js';

// Set only by the build's warm-up start; not passed on to the app.
const cacheOut = process.env.MECHA_WRITE_CODE_CACHE;
delete process.env.MECHA_WRITE_CODE_CACHE;

compileBundle(dirname(fileURLToPath(import.meta.url)), cacheOut).run();
