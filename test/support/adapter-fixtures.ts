import { pino } from 'pino';
import { expect } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import type { Component, ComponentDescriptor } from '../../src/contracts/component.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** Helpers shared by the adapter tests that talk to a real server. */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `done()` holds or the bound passes; the caller's assertions then say what is missing. */
export async function waitUntil(done: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(20);
}

/** One adapter from YAML-style metadata, validated as a YAML author's would be, then initialised; init errors reach the caller. */
export async function initAdapter<T extends Component>(descriptor: ComponentDescriptor<T>, metadata: Record<string, string>): Promise<T> {
  const checked = validateAdapterMetadata(descriptor, metadata);
  expect(checked.errors).toEqual([]);
  const adapter = (await descriptor.load())({ name: descriptor.type.split('.')[1], logger: pino({ level: 'silent' }) });
  await adapter.init(checked.value);
  return adapter;
}

/**
 * The adapters a test file opens from `base()` metadata plus its own, all closed by `closeAll`;
 * `behindProxy` routes one through a relay the test can cut (the URL is read from `urlKey`).
 */
export function adapterPool<T extends Component>(descriptor: ComponentDescriptor<T>, base: () => Record<string, string>) {
  const opened: T[] = [];
  const proxies: TcpProxy[] = [];
  const open = async (extra: Record<string, string> = {}): Promise<T> => {
    const adapter = await initAdapter(descriptor, { ...base(), ...extra });
    opened.push(adapter);
    return adapter;
  };
  return {
    open,
    async behindProxy(urlKey: string, extra: Record<string, string> = {}): Promise<{ adapter: T; proxy: TcpProxy }> {
      const url = new URL(base()[urlKey]);
      const proxy = await startTcpProxy(url.hostname, Number(url.port));
      proxies.push(proxy);
      url.port = String(proxy.port);
      return { adapter: await open({ [urlKey]: url.toString(), ...extra }), proxy };
    },
    async closeAll(): Promise<void> {
      await Promise.allSettled(opened.splice(0).map((a) => a.close()));
      await Promise.all(proxies.splice(0).map((p) => p.close()));
    },
  };
}
