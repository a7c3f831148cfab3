import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { ensureRedisServer } from '../support/redis-server.js';
import { FIXTURES_DIR, fixtureName, runCorpus } from './corpus.js';
import { prepareWorld } from './environment.js';
import { startDaprd } from './sidecars.js';
import { stableJson } from './shape.js';

/** Records daprd's answers to the whole corpus into test/compat/fixtures (run by `npm run compat:record`). */
export async function record(daprd: string): Promise<void> {
  const version = execFileSync(daprd, ['--version'], { encoding: 'utf8' }).trim();
  const redis = await ensureRedisServer();
  const world = await prepareWorld(`${redis.host}:${redis.port}`);
  const sidecar = await startDaprd(daprd, world).catch(async (err) => {
    await world.close();
    await redis.stop();
    throw err;
  });
  try {
    const runs = await runCorpus(sidecar);
    mkdirSync(FIXTURES_DIR, { recursive: true });
    for (const f of readdirSync(FIXTURES_DIR)) if (f.endsWith('.json')) rmSync(FIXTURES_DIR + f);
    let total = 0;
    for (const run of runs) {
      // One case a line: readable diffs when a re-recording changes an answer.
      const lines = run.results.map((r) => `    {"case":${stableJson(r.case)},"answer":${stableJson(r.answer)}}`).join(',\n');
      const head = `  "transport": "${run.transport}",\n  "family": "${run.family}",\n  "recordedWith": ${JSON.stringify(`daprd ${version}`)},\n`;
      writeFileSync(FIXTURES_DIR + fixtureName(run), `{\n${head}  "results": [\n${lines}\n  ]\n}\n`);
      total += run.results.length;
      console.log(`${fixtureName(run)}: ${run.results.length} cases`);
    }
    console.log(`recorded ${total} answers from daprd ${version} into ${FIXTURES_DIR}`);
  } finally {
    await sidecar.stop();
    await world.close();
    await redis.stop();
  }
}
