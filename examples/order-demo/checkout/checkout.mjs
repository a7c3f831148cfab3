// checkout: publishes ORDER_COUNT orders to topic `orders` through its sidecar, then exits (which stops
// its sidecar too). Plain fetch, no SDK.
const dapr = `http://127.0.0.1:${process.env.DAPR_HTTP_PORT ?? '3500'}`;
const count = Number(process.env.ORDER_COUNT ?? '5');
const intervalMs = Number(process.env.ORDER_INTERVAL_MS ?? '200');
// Order ids carry a run id, so orders of different runs never share a key in the state store.
const runId = process.env.ORDER_RUN_ID ?? Date.now().toString(36);
const ITEMS = ['widget', 'gadget', 'gizmo'];

if (!Number.isInteger(count) || count < 1) fail(`ORDER_COUNT: expected a positive integer, got "${process.env.ORDER_COUNT}"`);
if (!Number.isInteger(intervalMs) || intervalMs < 0) fail(`ORDER_INTERVAL_MS: expected a non-negative integer, got "${process.env.ORDER_INTERVAL_MS}"`);
if (!/^[A-Za-z0-9_-]{1,40}$/.test(runId)) fail(`ORDER_RUN_ID: expected 1-40 letters, digits, '-' or '_', got "${runId}"`);

await waitForSidecar(30_000);
for (let n = 1; n <= count; n++) {
  const order = { orderId: `order-${runId}-${n}`, item: ITEMS[n % ITEMS.length], quantity: 1 + (n % 3), placedAt: new Date().toISOString() };
  await publish(order);
  console.log(`published ${order.orderId}: ${order.quantity} x ${order.item}`);
  if (n < count) await sleep(intervalMs);
}
console.log(`all ${count} orders published`);

async function publish(order) {
  // A publish can fail while the broker connection is still being set up; try a few times, then give up.
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${dapr}/v1.0/publish/pubsub/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(order),
    }).catch((err) => ({ status: 0, text: async () => err.message }));
    if (res.status === 204) return;
    const detail = await res.text();
    if (attempt === 5) fail(`publishing ${order.orderId} failed: ${res.status} ${detail}`);
    console.log(`publishing ${order.orderId} failed (${res.status} ${detail}), retrying`);
    await sleep(500 * attempt);
  }
}

/** `mecha run` starts the app beside its sidecar; the outbound health endpoint says when publishing works. */
async function waitForSidecar(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await fetch(`${dapr}/v1.0/healthz/outbound`).then((r) => r.status, () => 0);
    if (status === 204) return;
    await sleep(100);
  }
  fail(`the sidecar at ${dapr} was not ready within ${timeoutMs / 1000} s`);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function fail(message) {
  console.error(message);
  process.exit(1);
}
