// status.mjs <instanceID> [sidecar URL]: waits (up to 10 s) until the instance has finished or waits for
// an event, then prints its runtime status and its output, its failure, or the event it waits for.
const [id, url = 'http://127.0.0.1:3500'] = process.argv.slice(2);
const api = `${url}/v1.0/workflows/dapr/${id}`;
const get = async (path = '') => {
  const res = await fetch(api + path);
  if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
};

const deadline = Date.now() + 10_000;
for (;;) {
  const status = await get();
  const p = status.properties ?? {};
  if (status.runtimeStatus === 'COMPLETED') {
    console.log(`COMPLETED ${p['dapr.workflow.output']}`);
    break;
  }
  if (status.runtimeStatus === 'FAILED') {
    console.log(`FAILED ${p['dapr.workflow.failure.error_type']}: ${p['dapr.workflow.failure.error_message']}`);
    break;
  }
  // The history says what a running instance is doing: its last event is the wait it is parked on.
  const last = (await get('/history')).events.at(-1);
  if (last?.type === 'TimerCreated' && last.details?.event) {
    console.log(`${status.runtimeStatus} waiting for event "${last.details.event}" in state ${last.state}`);
    break;
  }
  if (status.runtimeStatus !== 'RUNNING' && status.runtimeStatus !== 'PENDING') {
    console.log(status.runtimeStatus);
    break;
  }
  if (Date.now() > deadline) {
    console.log(`${status.runtimeStatus} (still running after 10 s)`);
    break;
  }
  await new Promise((r) => setTimeout(r, 100));
}
