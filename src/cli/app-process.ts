import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { SidecarOptions } from '../config/sidecar-options.js';

/** The environment an app launched by `mecha run` gets, as the Dapr CLI sets it. */
export function appEnvironment(o: SidecarOptions, ports: { http: number; grpc: number }, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, DAPR_HTTP_PORT: String(ports.http), DAPR_GRPC_PORT: String(ports.grpc), APP_ID: o.appId };
  if (o.appPort !== undefined) env.APP_PORT = String(o.appPort);
  if (o.appApiToken) env.APP_API_TOKEN = o.appApiToken;
  if (o.apiToken) env.DAPR_API_TOKEN = o.apiToken;
  return env;
}

/**
 * Runs the app with its output forwarded line by line (prefixed like the Dapr CLI) and reports its exit.
 */
export function launchApp(command: string[], env: NodeJS.ProcessEnv, onExit: (code: number) => void): ChildProcess {
  const child = spawn(command[0], command.slice(1), { env, stdio: ['inherit', 'pipe', 'pipe'] });
  forward(child.stdout!, process.stdout);
  forward(child.stderr!, process.stderr);
  child.once('error', (err) => {
    process.stderr.write(`== APP == failed to start "${command[0]}": ${err.message}\n`);
    onExit(127);
  });
  child.once('exit', (code, signal) => onExit(code ?? (signal ? 128 + signalNumber(signal) : 1)));
  return child;
}

/** Asks the app to stop, and kills it (saying so through `onKill`) if it has not exited within `graceMs`. */
export async function stopApp(child: ChildProcess, graceMs: number, onKill: () => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    onKill();
    child.kill('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

function forward(from: NodeJS.ReadableStream, to: NodeJS.WritableStream): void {
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => to.write(`== APP == ${line}\n`));
}

function signalNumber(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 2 : signal === 'SIGKILL' ? 9 : 15;
}
