import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { compare, readAllowList, summaryLine } from './compare.js';
import { runCorpus } from './corpus.js';
import { prepareWorld, type CompatWorld } from './environment.js';
import { startMechaSidecar, type Sidecar } from './sidecars.js';

// The recorded corpus (test/compat/fixtures, from `npm run compat:record` against daprd) replayed
// against Mecha: every answer must match daprd's, or be a difference the allow-list explains.
let world: CompatWorld;
let sidecar: Sidecar;

beforeAll(async () => {
  world = await prepareWorld(inject('redisAddress'));
  sidecar = await startMechaSidecar(world);
});

afterAll(async () => {
  await sidecar?.stop();
  await world?.close();
});

it('answers the recorded corpus as daprd does, apart from the listed differences', async () => {
  const result = compare(await runCorpus(sidecar), readAllowList());
  console.log(summaryLine(result));
  expect(result.unrecorded, 'cases changed or added since the fixtures were recorded: run `npm run compat:record`').toEqual([]);
  expect(result.unexpected, 'answers that differ from daprd and are not in test/compat/allow-list.json').toEqual([]);
  expect(result.stale, 'allow-listed cases that now answer as daprd does: remove them from test/compat/allow-list.json').toEqual([]);
}, 120_000);
