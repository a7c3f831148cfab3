import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts, spawnUntilHealthy, type Sidecar } from './processes.js';

/** The reference daprd for `--against`: the binary itself, launched like Mecha (loopback only, free ports). */

export interface Daprd {
  /** The executable actually spawned (the wrapper's unpacked binary when given the wrapper). */
  bin: string;
  version: string;
}

const run = (bin: string, args: string[]) => execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 }).trim();

/**
 * `given` is daprd or the shared wrapper script, which unpacks it and prints its path on `--path`: the
 * binary is spawned directly, so its startup time is not the wrapper's, and each sidecar gets its own HOME.
 */
export function resolveDaprd(given: string): Daprd {
  if (!existsSync(given)) throw new Error(`--against: ${given} does not exist`);
  let bin = given;
  try {
    const unpacked = run(given, ['--path']);
    if (unpacked && existsSync(unpacked)) bin = unpacked;
  } catch {
    // a daprd binary refuses --path: it is the binary
  }
  const version = run(bin, ['--version']);
  if (!/^\d+\.\d+/.test(version)) throw new Error(`--against: ${bin} --version answered ${JSON.stringify(version)}, not a daprd version`);
  return { bin, version };
}

/**
 * SQLite name resolution in `home` (this build has no mDNS): sidecars sharing a HOME find each other by
 * app id, as Mecha's do through their registry there.
 */
function nameResolution(home: string): string {
  const file = join(home, 'daprd-config.yaml');
  if (!existsSync(file)) {
    writeFileSync(file, `apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: bench
spec:
  nameResolution:
    component: sqlite
    configuration:
      connectionString: "${join(home, 'daprd-names.db')}"
`);
  }
  return file;
}

/** daprd on free loopback ports, with metrics on (as Mecha in the harness) and no placement or scheduler. */
export async function startDaprd(daprd: Daprd, args: string[], home: string): Promise<Sidecar> {
  const [http, grpc, internal, metrics] = await freePorts(4);
  const argv = [
    '--dapr-http-port', String(http), '--dapr-grpc-port', String(grpc), '--dapr-internal-grpc-port', String(internal),
    '--metrics-port', String(metrics), '--dapr-listen-addresses', '127.0.0.1', '--dapr-internal-grpc-listen-address', '127.0.0.1',
    '--metrics-listen-address', '127.0.0.1', '--placement-host-address', '', '--scheduler-host-address', '',
    '--config', nameResolution(home), '--log-level', 'warn', ...args,
  ];
  return spawnUntilHealthy(daprd.bin, argv, http!, grpc!, home, 'daprd', { DAPR_HOST_IP: '127.0.0.1' });
}
