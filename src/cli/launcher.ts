#!/usr/bin/env -S node --max-semi-space-size=1 --heap-growing-percent=30 --single-threaded-gc
// What `mecha` runs: compiling the CLI bundle is a third of a cold start, so it is compiled with the
// V8 code cache the build recorded during a warm-up start (scripts/code-cache.mjs). A cache V8
// rejects only costs the compile time back.
//
// The V8 flags on the first line size the heap for a sidecar, one per pod: semi-spaces of 1 MB instead of
// up to 16 MB keep the young generation from growing to ~48 MB under load (about 10 MB less RSS, a few
// more, shorter scavenges). The old generation grows by 30% (at least V8's minimum step) before its next
// full collection, not up to 4×: under load the objects requests leave there otherwise pile up to twice
// the live heap (about 40 MB more RSS per sidecar at 1000 invocations/s) for a few more, short, full
// collections. The collector runs on the main thread only: on a pod's one or two cores its helper
// threads competed with the sidecar and its app, and doubled the p99 of service invocation.
// V8 sets the heap up when the process starts, and accepts a code cache only under the heap flags it was
// recorded with: set here too, they keep the cache valid when the launcher is started without them
// (`node main.js`, `npm start`), which then misses the heap's sizing and the single-threaded collector.
// The collector's threads are not set here: V8 aborts when they change under a running heap, and the
// cache does not depend on them.
//
// The build writes this file as CommonJS (dist/bundle/package.json says so): Node then starts it without
// setting up its ES module loader, which is about 10 ms of a start.
import { setFlagsFromString } from 'node:v8';
import { compileBundle } from './bundle-loader.js';

setFlagsFromString('--max-semi-space-size=1');
setFlagsFromString('--heap-growing-percent=30');

// Set only by the build's warm-up start; not passed on to the app.
const cacheOut = process.env.MECHA_WRITE_CODE_CACHE;
delete process.env.MECHA_WRITE_CODE_CACHE;

compileBundle(__dirname, cacheOut).run();
