// Where the orders of one run are: read back through order-processor's sidecar (state API) and from the
// receipts folder inventory's binding writes to.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const FINAL = new Set(['reserved', 'rejected']);

export function orderIdsOf(runId, count) {
  return Array.from({ length: count }, (_, i) => `order-${runId}-${i + 1}`);
}

/**
 * One look at every order: its stored state (bulk GET through the sidecar) and its receipt file.
 * Returns { orders: [{ id, state, receipt }], final, reserved, rejected, receipts }.
 */
export async function inspectOrders(processorUrl, receiptsDir, ids) {
  const res = await fetch(`${processorUrl}/v1.0/state/statestore/bulk`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ keys: ids, parallelism: 10 }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`state bulk get answered ${res.status}: ${await res.text()}`);
  const byKey = new Map((await res.json()).map((item) => [item.key, item.data]));
  const orders = await Promise.all(ids.map(async (id) => ({ id, state: byKey.get(id), receipt: await readReceipt(receiptsDir, id) })));
  const status = (o) => o.state?.status;
  return {
    orders,
    final: orders.filter((o) => FINAL.has(status(o))).length,
    reserved: orders.filter((o) => status(o) === 'reserved').length,
    rejected: orders.filter((o) => status(o) === 'rejected').length,
    // A receipt counts when it is the one for this order and its stored state points to it.
    receipts: orders.filter((o) => o.receipt?.orderId === o.id && o.state?.receipt === `${o.id}.json`).length,
  };
}

/** Every order has a final status, every reserved one its receipt, and the cron binding fired. */
export function complete(view, stockReports) {
  return view.final === view.orders.length && view.receipts === view.reserved && stockReports > 0;
}

/** What is still missing, for the failure message. */
export function describeMissing(view, stockReports) {
  const problems = [];
  const notFinal = view.orders.filter((o) => !FINAL.has(o.state?.status));
  if (notFinal.length) problems.push(`${notFinal.length} of ${view.orders.length} orders have no final status (${sample(notFinal.map((o) => `${o.id}: ${o.state?.status ?? 'not stored'}`))})`);
  const noReceipt = view.orders.filter((o) => o.state?.status === 'reserved' && o.receipt?.orderId !== o.id);
  if (noReceipt.length) problems.push(`${noReceipt.length} reserved orders have no receipt (${sample(noReceipt.map((o) => o.id))})`);
  if (stockReports === 0) problems.push('the stock-report cron binding never fired');
  return problems.join('; ') || 'nothing';
}

export function summaryLines(view, { seconds, published, stockReports, lastReport, receiptsDir, kept }) {
  const lines = [
    `Order demo: all ${view.orders.length} orders went through in ${seconds.toFixed(1)} s`,
    `  published by checkout           ${published}`,
    `  stored by order-processor       ${view.final} (${view.reserved} reserved, ${view.rejected} rejected)`,
    `  receipts written by inventory   ${view.receipts} in ${kept ? receiptsDir : 'the run folder (removed on exit; --output keeps it)'}`,
    `  stock reports (cron binding)    ${stockReports}${lastReport ? `, last: ${lastReport}` : ''}`,
  ];
  const shown = view.orders.slice(0, 20);
  for (const o of shown) lines.push(`    ${o.id.padEnd(28)} ${String(o.state.quantity).padStart(2)} x ${o.state.item.padEnd(7)} ${o.state.status}`);
  if (view.orders.length > shown.length) lines.push(`    … and ${view.orders.length - shown.length} more`);
  return lines;
}

async function readReceipt(dir, id) {
  try {
    return JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8'));
  } catch {
    return undefined; // not written yet
  }
}

function sample(items) {
  return items.length > 5 ? `${items.slice(0, 5).join(', ')}, …` : items.join(', ');
}
