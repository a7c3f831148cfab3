import { mkdtemp, mkdir, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ResourceWatcher, type ResourceDiff } from '../../src/runtime/hot-reload/resource-watcher.js';
import { component as resourceYaml } from '../support/resources.js';

const component = (name: string, type = 'state.in-memory') => resourceYaml(name, type);

/** What a diff did, as `+kind/name`, `~kind/name`, `-kind/name`, sorted. */
const summary = (d: ResourceDiff) =>
  [...d.added.map((r) => `+${r.key}`), ...d.changed.map((c) => `~${c.after.key}`), ...d.removed.map((r) => `-${r.key}`)].sort();

let dirs: string[] = [];
let watchers: ResourceWatcher[] = [];
afterEach(async () => {
  await Promise.all(watchers.map((w) => w.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  watchers = [];
  dirs = [];
});

async function watched(files: Record<string, string>, debounceMs = 100) {
  const dir = await mkdtemp(join(tmpdir(), 'mecha-watch-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const diffs: ResourceDiff[] = [];
  const watcher = await ResourceWatcher.start({ dirs: [dir], debounceMs, onDiff: async (d) => void diffs.push(d), onError: (err) => { throw err; } });
  watchers.push(watcher);
  /** Waits (bounded) until `n` diffs have been seen. */
  const until = async (n: number) => {
    for (let i = 0; i < 100 && diffs.length < n; i++) await new Promise((r) => setTimeout(r, 50));
    await watcher.settled();
    return diffs;
  };
  return { dir, diffs, until, watcher };
}

describe('resource watcher', () => {
  it('reports an added, a changed and a removed resource by kind and name', async () => {
    const w = await watched({ 'a.yaml': component('a'), 'b.yaml': component('b') });
    await writeFile(join(w.dir, 'c.yaml'), component('c'));
    expect(summary((await w.until(1))[0])).toEqual(['+Component/c']);
    await writeFile(join(w.dir, 'a.yaml'), component('a', 'state.sqlite'));
    expect(summary((await w.until(2))[1])).toEqual(['~Component/a']);
    await unlink(join(w.dir, 'b.yaml'));
    expect(summary((await w.until(3))[2])).toEqual(['-Component/b']);
  });

  it('names a resource defined twice as a problem and applies only the first', async () => {
    const w = await watched({ 'a.yaml': component('a') });
    await writeFile(join(w.dir, 'z.yaml'), component('a', 'state.sqlite'));
    const [diff] = await w.until(1);
    expect(summary(diff)).toEqual([]);
    expect(diff.problems).toEqual([
      { file: join(w.dir, 'z.yaml'), document: 1, field: 'metadata.name', message: `duplicate Component name "a" (first defined in ${join(w.dir, 'a.yaml')}, document 1); not applied` },
    ]);
  });

  it('folds a burst of writes into one re-read', async () => {
    const w = await watched({}, 300);
    for (let i = 0; i < 5; i++) await writeFile(join(w.dir, `r${i}.yaml`), component(`r${i}`));
    const diffs = await w.until(1);
    await new Promise((r) => setTimeout(r, 500));
    await w.watcher.settled();
    expect(diffs).toHaveLength(1);
    expect(summary(diffs[0])).toEqual(['+Component/r0', '+Component/r1', '+Component/r2', '+Component/r3', '+Component/r4']);
  });

  it('sees an editor writing a temp file and renaming it over the original as one change', async () => {
    const w = await watched({ 'a.yaml': component('a') });
    await writeFile(join(w.dir, '.a.yaml.swp'), component('a', 'state.sqlite'));
    await rename(join(w.dir, '.a.yaml.swp'), join(w.dir, 'a.yaml'));
    const diffs = await w.until(1);
    expect(summary(diffs[0])).toEqual(['~Component/a']);
    expect(diffs[0].changed[0].after.doc.content).toMatchObject({ spec: { type: 'state.sqlite' } });
  });

  it('follows a Kubernetes ConfigMap volume swapping its ..data link', async () => {
    const w = await watched({});
    // The layout the kubelet keeps: ..<stamp>/file, ..data -> ..<stamp>, file -> ..data/file.
    await mkdir(join(w.dir, '..2026_01'));
    await writeFile(join(w.dir, '..2026_01', 'store.yaml'), component('store'));
    await symlink('..2026_01', join(w.dir, '..data'));
    await symlink(join('..data', 'store.yaml'), join(w.dir, 'store.yaml'));
    expect(summary((await w.until(1))[0])).toEqual(['+Component/store']);
    await mkdir(join(w.dir, '..2026_02'));
    await writeFile(join(w.dir, '..2026_02', 'store.yaml'), component('store', 'state.sqlite'));
    await symlink('..2026_02', join(w.dir, '..data_tmp'));
    await rename(join(w.dir, '..data_tmp'), join(w.dir, '..data'));
    await rm(join(w.dir, '..2026_01'), { recursive: true });
    expect(summary((await w.until(2))[1])).toEqual(['~Component/store']);
  });

  it('keeps the resources of a file that no longer parses, and reports the problem', async () => {
    const w = await watched({ 'a.yaml': component('a') });
    await writeFile(join(w.dir, 'a.yaml'), 'kind: Component\nmetadata: [name: a\n');
    const diffs = await w.until(1);
    expect(summary(diffs[0])).toEqual([]);
    expect(diffs[0].problems[0]).toMatchObject({ file: join(w.dir, 'a.yaml'), line: expect.any(Number) });
    await writeFile(join(w.dir, 'a.yaml'), component('a', 'state.sqlite'));
    expect(summary((await w.until(2))[1])).toEqual(['~Component/a']);
  });
});
