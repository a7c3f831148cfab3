#!/usr/bin/env node
// What `mecha` runs: compiling the CLI bundle is a third of a cold start, so it is compiled with the
// V8 code cache the build recorded during a warm-up start (scripts/code-cache.mjs). A cache V8
// rejects only costs the compile time back.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileBundle } from './bundle-loader.js';

// Set only by the build's warm-up start; not passed on to the app.
const cacheOut = process.env.MECHA_WRITE_CODE_CACHE;
delete process.env.MECHA_WRITE_CODE_CACHE;

compileBundle(dirname(fileURLToPath(import.meta.url)), cacheOut).run();
