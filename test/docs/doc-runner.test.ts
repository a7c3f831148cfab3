import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectationPattern, parseShell, readDocBlocks, type DocBlock } from '../support/doc-examples.js';
import { DocSession } from '../support/doc-runner.js';
import { freePort } from '../support/mecha-process.js';

const dir = mkdtempSync(join(tmpdir(), 'mecha-doc-runner-'));
const session = new DocSession();
afterAll(() => {
  session.close();
  rmSync(dir, { recursive: true, force: true });
});

function blocksOf(markdown: string): DocBlock[] {
  const file = join(dir, `doc-${Math.random().toString(36).slice(2)}.md`);
  writeFileSync(file, markdown);
  return readDocBlocks(file);
}

const sh = (text: string, marker = '') => blocksOf(`${marker}\n\n\`\`\`sh\n${text}\n\`\`\`\n`)[0];

describe('reading the blocks', () => {
  it('finds each fence with its language and the marker just above it', () => {
    const blocks = blocksOf('# T\n\n<!-- example: skip=needs a cluster -->\n```sh\nkubectl get pods\n```\n\ntext\n\n<!-- example: file=a.mjs -->\n\n```js\nconsole.log(1)\n```\n');
    expect(blocks).toEqual([
      { line: 4, lang: 'sh', text: 'kubectl get pods', marker: { skip: 'needs a cluster' } },
      { line: 12, lang: 'js', text: 'console.log(1)', marker: { file: 'a.mjs' } },
    ]);
  });

  it('reads a fence indented inside a list item without its indentation', () => {
    expect(blocksOf('1. Start it:\n\n   ```sh\n   echo a \\\n     b\n   ```\n')).toEqual([{ line: 3, lang: 'sh', text: 'echo a \\\n  b', marker: {} }]);
  });

  it('refuses a skip without a reason and an unknown marker', () => {
    expect(() => blocksOf('<!-- example: skip -->\n```sh\nx\n```\n')).toThrow(/reason/);
    expect(() => blocksOf('<!-- example: needs=kafka -->\n```sh\nx\n```\n')).toThrow(/unknown example marker/);
  });

  it('splits commands, joins continuations and reads # → expectations', () => {
    expect(parseShell('a \\\n  --flag   # → 1\n# a remark\nb # not an expectation\n# → printed line')).toEqual({
      commands: [{ text: 'a --flag', expect: '1' }, { text: 'b # not an expectation' }],
      printed: ['printed line'],
    });
    expect(expectationPattern('{"id":"…"}').test('{"id":"42"}')).toBe(true);
    expect(expectationPattern('{"id":"…"}').test('{"id":""}')).toBe(false);
  });
});

describe('running them', () => {
  it('passes a block whose commands succeed and print what the doc shows', async () => {
    await session.run(sh('x=41\necho $((x + 1))   # → 42'));
  });

  it('fails on a non-zero exit, an HTTP error answer or a different output', async () => {
    await expect(session.run(sh('true\nfalse\necho never'))).rejects.toThrow(/`false` exited with 1/);
    await expect(session.run(sh('echo 41   # → 42'))).rejects.toThrow(/printed "41", the doc shows # → 42/);
    await expect(session.run(sh('node -e "process.exit(3)"', '<!-- example: exit=3 -->'))).resolves.toBeUndefined();
    await expect(session.run(sh('true', '<!-- example: exit=1 -->'))).rejects.toThrow(/exited with 0 \(expected 1\)/);
  });

  it('compares an output block with what the previous block printed, timestamps aside', async () => {
    await session.run(sh('echo "[10:00:00.000] ERROR: bad" >&2'));
    await session.run({ line: 1, lang: 'text', text: '[12:34:56.789] ERROR: bad', marker: { output: true } });
    await session.run(sh('echo "[10:00:00.000] ERROR: worse" >&2'));
    await expect(session.run({ line: 1, lang: 'text', text: '[12:34:56.789] ERROR: bad', marker: { output: true } })).rejects.toThrow(/differs from the doc/);
  });

  it('refuses an unmarked block it cannot run', async () => {
    await expect(session.run({ line: 1, lang: 'text', text: 'some output', marker: {} })).rejects.toThrow(/mark it/);
  });

  it('fails a pub/sub example whose app crashes on the sidecar’s bodiless GET /dapr/config', async () => {
    // The app the README once showed: it parsed every request body as JSON.
    const [appPort, httpPort] = [await freePort(), await freePort()];
    await session.run({
      line: 1,
      lang: 'js',
      marker: { file: 'crashing-app.mjs' },
      text: `import { createServer } from 'node:http';
createServer((req, res) => {
  if (req.url === '/dapr/subscribe') return res.end(JSON.stringify([{ pubsubname: 'pubsub', topic: 'orders', route: '/orders' }]));
  let body = '';
  req.on('data', (c) => (body += c)).on('end', () => res.end(console.log(req.url, JSON.parse(body).data)));
}).listen(${appPort});`,
    });
    const run = `npx mecha run --app-id crash --app-port ${appPort} --dapr-http-port ${httpPort} -- node crashing-app.mjs`;
    await expect(session.run(sh(`${run}\ncurl localhost:${httpPort}/v1.0/healthz`))).rejects.toThrow(
      /exited with \d+ before it was ready|was not healthy/,
    );
  }, 60_000);
});
