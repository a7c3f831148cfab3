import { component, resourcesDir } from '../../test/support/resources.js';
import { grpcLoad, httpLoad } from './load.js';
import { freePort, privateHome, startApp, startSidecar } from './processes.js';
import { grpcClients, measured, pad, result, unary, using, type Scenario } from './scenario-kit.js';

/** Caller sidecar → callee sidecar → app over HTTP; both sidecars share a private HOME, so they find each other by app id. */
export const invokeHttp: Scenario = {
  name: 'invoke-http',
  group: 'Service invocation',
  title: 'two-hop invocation over HTTP (caller sidecar → callee sidecar → app)',
  needs: [],
  async run(env) {
    const body = pad(env);
    const appPort = await freePort();
    const app = await startApp('echo-app.mjs', [String(appPort)]);
    return using([app], async () => {
      const baseline = await httpLoad({ url: `http://127.0.0.1:${appPort}/echo`, method: 'POST', body }, env.load);
      const home = privateHome();
      const callee = await startSidecar(['--app-id', 'bench-callee', '--app-port', String(appPort)], home);
      const caller = await startSidecar(['--app-id', 'bench-caller'], home);
      const target = { url: `${caller.url}/v1.0/invoke/bench-callee/method/echo`, method: 'POST' as const, body };
      const sidecars = [{ role: 'caller', pid: caller.pid }, { role: 'callee', pid: callee.pid }];
      const mecha = await using([caller, callee], () => measured(sidecars, (onMeasure) => httpLoad(target, env.load, onMeasure)));
      return result(this, mecha, baseline, 'the client calling the app itself');
    });
  },
};

/** InvokeService on the caller sidecar's gRPC API → callee sidecar → AppCallback.OnInvoke of a gRPC app. */
export const invokeGrpc: Scenario = {
  name: 'invoke-grpc',
  group: 'Service invocation',
  title: 'two-hop invocation over gRPC (InvokeService → callee sidecar → gRPC app)',
  needs: [],
  async run(env) {
    const data = Buffer.from(pad(env));
    const appPort = await freePort();
    const app = await startApp('grpc-echo-app.mjs', [String(appPort)]);
    return using([app], async () => {
      const direct = grpcClients('dapr.proto.runtime.v1.AppCallback', appPort, env.load.connections);
      const onInvoke = { method: 'echo', data: { type_url: '', value: data }, content_type: 'text/plain' };
      const baseline = await grpcLoad(direct.clients.map((c) => unary(c, 'OnInvoke', onInvoke)), env.load).finally(() => direct.close());
      const home = privateHome();
      const callee = await startSidecar(['--app-id', 'bench-callee', '--app-port', String(appPort), '--app-protocol', 'grpc'], home);
      const caller = await startSidecar(['--app-id', 'bench-caller'], home);
      const sidecars = [{ role: 'caller', pid: caller.pid }, { role: 'callee', pid: callee.pid }];
      const mecha = await using([caller, callee], async () => {
        const dapr = grpcClients('dapr.proto.runtime.v1.Dapr', caller.grpcPort, env.load.connections);
        const req = { id: 'bench-callee', message: { ...onInvoke, http_extension: { verb: 'POST', querystring: '' } } };
        try {
          return await measured(sidecars, (onMeasure) => grpcLoad(dapr.clients.map((c) => unary(c, 'InvokeService', req)), env.load, onMeasure));
        } finally {
          dapr.close();
        }
      });
      return result(this, mecha, baseline, 'the client calling OnInvoke on the gRPC app itself');
    });
  },
};

/** POST /v1.0/bindings/echo with operation "post": bindings.http forwards the data to the app. */
export const outputBinding: Scenario = {
  name: 'binding-http',
  group: 'Bindings',
  title: 'output binding (bindings.http → app)',
  needs: [],
  async run(env) {
    const data = pad(env);
    const appPort = await freePort();
    const app = await startApp('echo-app.mjs', [String(appPort)]);
    return using([app], async () => {
      const baseline = await httpLoad({ url: `http://127.0.0.1:${appPort}/orders`, method: 'POST', body: data }, env.load);
      const dir = resourcesDir({ 'binding.yaml': component('echo', 'bindings.http', { url: `http://127.0.0.1:${appPort}/orders` }) });
      const sidecar = await startSidecar(['--app-id', 'bench-binding', '--resources-path', dir], privateHome());
      const target = { url: `${sidecar.url}/v1.0/bindings/echo`, method: 'POST' as const, body: JSON.stringify({ operation: 'post', data }), headers: { 'content-type': 'application/json' } };
      const mecha = await using([sidecar], () => measured([{ role: 'sidecar', pid: sidecar.pid }], (onMeasure) => httpLoad(target, env.load, onMeasure)));
      return result(this, mecha, baseline, 'the client POSTing the data to the app itself');
    });
  },
};
