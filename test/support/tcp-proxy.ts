import { createConnection, createServer, type Socket } from 'node:net';
import { LOOPBACK } from './server-process.js';

export interface TcpProxy {
  /** Loopback port that forwards to the target. */
  port: number;
  /** Drops every open connection, as a network failure or a broker restart would. New ones still work. */
  cut(): void;
  close(): Promise<void>;
}

/** A loopback TCP relay to `host:port`, so tests can break a client's connection without touching the server. */
export async function startTcpProxy(host: string, port: number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host, port });
    for (const s of [client, upstream]) {
      open.add(s);
      s.once('close', () => open.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    cut: () => {
      for (const s of open) s.destroy();
    },
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
