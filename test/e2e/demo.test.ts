import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, MECHA_BIN } from '../support/mecha-process.js';
import { ensureDebianCommand, findOnPath } from '../support/server-process.js';

// The polyglot order demo of examples/, run as a user runs it: checkout (Node.js) → Redis pub/sub →
// order-processor (Python, state) → invocation → inventory (Go, output binding, cron input binding).
const DEMO = fileURLToPath(new URL('../../examples/run-demo.mjs', import.meta.url));
const ORDERS = 4;
// Generous: a cold Go build cache and three sidecars on a busy 2-core machine.
const DEMO_TIMEOUT_MS = 8 * 60_000;

const out = mkdtempSync(join(tmpdir(), 'mecha-demo-test-'));

function runDemo(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DEMO, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    // SIGTERM lets the demo stop its sidecars and Redis; SIGKILL if even that hangs.
    const term = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 30_000);
    child.once('exit', (code) => {
      clearTimeout(term);
      clearTimeout(kill);
      resolve({ code, output });
    });
  });
}

beforeAll(async () => {
  // The demo's apps need these; CI machines have them. Missing ones fail here, never skip.
  if (!(await findOnPath('python3'))) throw new Error('the order demo needs python3 (order-processor): install Python 3.8 or later');
  if (!(await findOnPath('go', ['/usr/local/go/bin']))) throw new Error('the order demo needs go (inventory): install Go 1.22 or later');
  if (!existsSync(MECHA_BIN)) throw new Error(`${MECHA_BIN} is missing: run npm run build first`);
  // The demo starts its own private redis-server, so the binary must be installed.
  await ensureDebianCommand('redis-server', 'redis-server');
}, 10 * 60_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the order demo (npm run demo)', () => {
  it('takes every order through checkout, order-processor and inventory, then stops cleanly', async () => {
    const { code, output } = await runDemo(['--orders', String(ORDERS), '--no-build', '--output', out, '--timeout', '300'], DEMO_TIMEOUT_MS);
    expect(code, output).toBe(0);

    const published = [...output.matchAll(/^checkout\s+\| published (order-[\w-]+): (\d+) x (\w+)$/gm)].map((m) => ({ id: m[1], quantity: Number(m[2]), item: m[3] }));
    expect(published, output).toHaveLength(ORDERS);
    expect(new Set(published.map((o) => o.id)).size).toBe(ORDERS);

    // State, read from the order-processor sidecar's SQLite file (daprd's layout: key = appId||key).
    const db = new Database(join(out, 'state.db'), { readonly: true });
    try {
      for (const order of published) {
        const row = db.prepare('SELECT value FROM state WHERE key = ?').get(`order-processor||${order.id}`) as { value: string } | undefined;
        expect(row, `state of ${order.id}`).toBeDefined();
        expect(JSON.parse(row!.value)).toMatchObject({ orderId: order.id, item: order.item, quantity: order.quantity, status: 'reserved', receipt: `${order.id}.json` });
      }
    } finally {
      db.close();
    }

    // Receipts, written by inventory through its localstorage output binding.
    for (const order of published) {
      const receipt = JSON.parse(readFileSync(join(out, 'receipts', `${order.id}.json`), 'utf8'));
      expect(receipt).toMatchObject({ orderId: order.id, item: order.item, quantity: order.quantity });
      expect(Number.isNaN(Date.parse(receipt.reservedAt))).toBe(false);
      expect(output).toMatch(new RegExp(`^inventory\\s+\\| reserved ${order.quantity} x ${order.item} for ${order.id} \\(`, 'm'));
      expect(output).toMatch(new RegExp(`^order-processor\\s+\\| ${order.id}: ${order.quantity} x ${order.item} reserved`, 'm'));
    }

    // The cron input binding reached inventory at least once.
    expect(output).toMatch(/^inventory\s+\| stock report #1: gadget=\d+ gizmo=\d+ widget=\d+ \(\d+ orders reserved\)$/m);
    expect(output).toContain(`Order demo: all ${ORDERS} orders went through`);
    expect(output).toMatch(new RegExp(`stored by order-processor\\s+${ORDERS} \\(${ORDERS} reserved, 0 rejected\\)`));
    expect(output).not.toMatch(/FAILED/);
  }, DEMO_TIMEOUT_MS + 60_000);

  it('fails with a clear message when the broker is unreachable', async () => {
    const closed = await freePort();
    const { code, output } = await runDemo(['--orders', '1', '--no-build', '--redis', `127.0.0.1:${closed}`], 5 * 60_000);
    expect(code).toBe(1);
    expect(output).toContain(`order demo FAILED: --redis 127.0.0.1:${closed}: no Redis answers PING there`);
  }, 6 * 60_000);

  it('refuses a bad flag, naming it', async () => {
    const { code, output } = await runDemo(['--orders', 'many'], 30_000);
    expect(code).toBe(2);
    expect(output).toContain('--orders: expected an integer from 1 to 1000, got "many"');
  });
});
