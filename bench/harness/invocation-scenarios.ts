import { component, resourcesDir } from '../../test/support/resources.js';
import { callLoad, httpLoad } from './load.js';
import { freePort, privateHome, startApp, startSidecar } from './processes.js';
import { grpcClient, measured, pad, result, unary, using, type Scenario } from './scenario-kit.js';

export const invokeHttp: Scenario = {
  name: 'invoke-http',
  group: 'Service invocation',
  title: 'two-hop invocation over HTTP (caller sidecar → callee sidecar → app)',
  async run(env) {
    const body = pad(env);
    const appPort = await freePort();
    const app = await startApp('echo-app.mjs', [String(appPort)]);
    return using([app], async () => {
      const baseline = await httpLoad({ url: `http://127.0.0.1:${appPort}/echo`, method: 'POST', body }, env.load);
      const home = privateHome();
      const callee = await startSidecar(['--app-id', 'bench-callee', '--app-port', String(appPort)], home);
      const caller = await startSidecar(['--app-id', 'bench-caller'], home);
      const mecha = await using([caller, callee], () =>
        measured([caller.pid, callee.pid], () => httpLoad({ url: `${caller.url}/v1.0/invoke/bench-callee/method/echo`, method: 'POST', body }, env.load)),
      );
      return result(this, mecha, baseline);
    });
  },
};

export const invokeGrpc: Scenario = {
  name: 'invoke-grpc',
  group: 'Service invocation',
  title: 'two-hop invocation over gRPC (InvokeService → callee sidecar → gRPC app)',
  async run(env) {
    const data = Buffer.from(pad(env));
    const appPort = await freePort();
    const app = await startApp('grpc-echo-app.mjs', [String(appPort)]);
    return using([app], async () => {
      const direct = grpcClient('dapr.proto.runtime.v1.AppCallback', appPort);
      const baseline = await callLoad(unary(direct, 'OnInvoke', { method: 'echo', data: { type_url: '', value: data }, content_type: 'text/plain' }), env.load);
      direct.close();
      const home = privateHome();
      const callee = await startSidecar(['--app-id', 'bench-callee', '--app-port', String(appPort), '--app-protocol', 'grpc'], home);
      const caller = await startSidecar(['--app-id', 'bench-caller'], home);
      const mecha = await using([caller, callee], async () => {
        const dapr = grpcClient('dapr.proto.runtime.v1.Dapr', caller.grpcPort);
        const req = { id: 'bench-callee', message: { method: 'echo', data: { type_url: '', value: data }, content_type: 'text/plain', http_extension: { verb: 'POST', querystring: '' } } };
        try {
          return await measured([caller.pid, callee.pid], () => callLoad(unary(dapr, 'InvokeService', req), env.load));
        } finally {
          dapr.close();
        }
      });
      return result(this, mecha, baseline);
    });
  },
};

export const outputBinding: Scenario = {
  name: 'binding-http',
  group: 'Bindings',
  title: 'output binding (bindings.http → app)',
  async run(env) {
    const data = pad(env);
    const appPort = await freePort();
    const app = await startApp('echo-app.mjs', [String(appPort)]);
    return using([app], async () => {
      const baseline = await httpLoad({ url: `http://127.0.0.1:${appPort}/orders`, method: 'POST', body: data }, env.load);
      const dir = resourcesDir({ 'binding.yaml': component('echo', 'bindings.http', { url: `http://127.0.0.1:${appPort}/orders` }) });
      const sidecar = await startSidecar(['--app-id', 'bench-binding', '--resources-path', dir], privateHome());
      const body = JSON.stringify({ operation: 'post', data });
      const mecha = await using([sidecar], () =>
        measured([sidecar.pid], () => httpLoad({ url: `${sidecar.url}/v1.0/bindings/echo`, method: 'POST', body, headers: { 'content-type': 'application/json' } }, env.load)),
      );
      return result(this, mecha, baseline);
    });
  },
};

