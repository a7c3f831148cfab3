import { credentials, loadPackageDefinition, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';

const GRPC_APP = fileURLToPath(new URL('../support/grpc-echo-app.mjs', import.meta.url));
const GREETER_PROTO = fileURLToPath(new URL('../support/greeter.proto', import.meta.url));
const HOME = mkdtempSync(join(tmpdir(), 'mecha-home-'));

type Reply = { message: string; caller: string };
type Greeter = Client & {
  SayHello(req: object, md: Metadata, cb: (err: ServiceError | null, res: Reply) => void): { on(ev: 'metadata', fn: (md: Metadata) => void): void };
  Chat(md: Metadata): NodeJS.ReadWriteStream & { write(m: object): boolean; end(): void };
};

let callee: MechaProcess;
let caller: MechaProcess;
let greeter: Greeter;

function sayHello(name: string, md = new Metadata()): Promise<{ reply?: Reply; err?: ServiceError; headers?: Metadata }> {
  return new Promise((resolve) => {
    let headers: Metadata | undefined;
    const call = greeter.SayHello({ name }, md, (err, reply) => resolve(err ? { err, headers } : { reply, headers }));
    call.on('metadata', (m) => (headers = m));
  });
}

const toCallee = () => {
  const md = new Metadata();
  md.set('dapr-app-id', 'grpc-callee');
  return md;
};

beforeAll(async () => {
  const appPort = await freePort();
  callee = await startMecha(['--app-id', 'grpc-callee', '--app-port', String(appPort), '--app-protocol', 'grpc', '--', process.execPath, GRPC_APP], {
    cwd: HOME,
    env: { HOME },
    readyPath: '/v1.0/healthz',
  });
  caller = await startMecha(['--app-id', 'grpc-caller'], { cwd: HOME, env: { HOME } });
  const def = loadSync(GREETER_PROTO, { keepCase: true });
  const Ctor = (loadPackageDefinition(def).mecha as never as { test: { Greeter: new (addr: string, creds: unknown) => Greeter } }).test.Greeter;
  greeter = new Ctor(`127.0.0.1:${caller.grpcPort}`, credentials.createInsecure());
});

afterAll(async () => {
  greeter?.close();
  await Promise.all([callee?.stop(), caller?.stop()]);
  rmSync(HOME, { recursive: true, force: true });
});

describe('gRPC proxying by dapr-app-id', () => {
  it("relays a unary call of the app's own service through both sidecars, with headers and the caller's identity", async () => {
    const { reply, headers } = await sayHello('ada', toCallee());
    expect(reply).toEqual({ message: 'hello ada', caller: 'grpc-caller' });
    expect(headers?.get('x-app')).toEqual(['grpc-callee']);
  });

  it("relays the app's error status, message and trailers", async () => {
    const { err } = await sayHello('fail', toCallee());
    expect(err?.code).toBe(status.NOT_FOUND);
    expect(err?.details).toBe('no such person');
    expect(err?.metadata.get('why')).toEqual(['asked to fail']);
  });

  it('relays a bidirectional stream message by message', async () => {
    const md = toCallee();
    md.set('dapr-stream', 'true');
    const chat = greeter.Chat(md);
    const replies: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      chat.on('data', (m: Reply) => replies.push(m.message));
      chat.on('end', () => resolve());
      chat.on('error', reject);
    });
    for (const name of ['a', 'b', 'c']) chat.write({ name });
    chat.end();
    await done;
    expect(replies).toEqual(['echo a', 'echo b', 'echo c']);
  });

  it('reaches its own app when dapr-app-id names itself', async () => {
    const local = new (Object.getPrototypeOf(greeter).constructor as new (a: string, c: unknown) => Greeter)(`127.0.0.1:${callee.grpcPort}`, credentials.createInsecure());
    try {
      const reply = await new Promise<Reply>((resolve, reject) => local.SayHello({ name: 'self' }, toCallee(), (err, r) => (err ? reject(err) : resolve(r))));
      expect(reply.message).toBe('hello self');
    } finally {
      local.close();
    }
  });

  it('refuses a call without dapr-app-id, and one to an app nobody serves, as daprd does', async () => {
    const missing = await sayHello('x');
    expect(missing.err?.code).toBe(status.UNKNOWN);
    expect(missing.err?.details).toMatch(/required metadata dapr-app-id/);
    const md = new Metadata();
    md.set('dapr-app-id', 'nobody-home');
    const unknown = await sayHello('x', md);
    expect(unknown.err?.details).toMatch(/couldn't find service: nobody-home/);
  });
});
