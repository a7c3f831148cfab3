import { request as httpRequest, Agent, type IncomingMessage } from 'node:http';
import { writeBody } from '../util/body-streams.js';

export interface AppRequest {
  method: string;
  /** Path with query string, starting with `/`. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Abort after this long (the app is considered failed). */
  timeoutMs?: number;
  /** A health probe: not counted with the app calls (daprd counts probes apart). */
  healthProbe?: boolean;
}

/** Sees each answered call into the app (metrics). */
export interface AppChannelObserver {
  appCall(method: string, path: string, status: number, ms: number, sentBytes: number, receivedBytes: number): void;
}

/** A call whose body streams both ways (service invocation). */
export interface AppStreamRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body: AsyncIterable<Buffer>;
  timeoutMs?: number;
}

export interface AppResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * The sidecar's calls into its app over HTTP: keep-alive connections, `dapr-api-token` when
 * `APP_API_TOKEN` is set, and at most `--app-max-concurrency` calls in flight.
 */
export class HttpAppChannel {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 256 });
  #inFlight = 0;
  readonly #waiting: Array<() => void> = [];
  observer?: AppChannelObserver;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly appApiToken: string | undefined,
    private readonly maxConcurrency: number,
  ) {}

  async invoke(req: AppRequest): Promise<AppResponse> {
    await this.#acquire();
    const started = performance.now();
    try {
      const res = await this.#send(req);
      if (this.observer && !req.healthProbe) this.observer.appCall(req.method, req.path, res.status, performance.now() - started, req.body?.length ?? 0, res.body.length);
      return res;
    } finally {
      this.#release();
    }
  }

  /** Streams the request body to the app and resolves with its response as soon as the headers arrive. */
  async stream(req: AppStreamRequest): Promise<IncomingMessage> {
    await this.#acquire();
    const started = performance.now();
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        this.#release();
      }
    };
    try {
      const headers: Record<string, string | string[]> = { ...req.headers };
      if (this.appApiToken) headers['dapr-api-token'] = this.appApiToken;
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const r = httpRequest({ host: this.host, port: this.port, method: req.method, path: req.path, headers, agent: this.#agent }, resolve);
        if (req.timeoutMs) r.setTimeout(req.timeoutMs, () => r.destroy(new Error(`app did not answer within ${req.timeoutMs} ms`)));
        r.once('error', reject);
        void writeBody(r, req.body);
      });
      res.once('close', release);
      // Streamed: timed to the answer's headers, sizes as the Content-Length headers give them.
      this.observer?.appCall(req.method, req.path, res.statusCode ?? 0, performance.now() - started, Number(headers['content-length']) || 0, Number(res.headers['content-length']) || 0);
      return res;
    } catch (err) {
      release();
      throw err;
    }
  }

  close(): void {
    this.#agent.destroy();
  }

  #send(req: AppRequest): Promise<AppResponse> {
    const headers: Record<string, string> = { ...req.headers };
    if (this.appApiToken) headers['dapr-api-token'] = this.appApiToken;
    if (req.body) headers['content-length'] = String(req.body.length);
    return new Promise((resolve, reject) => {
      const r = httpRequest({ host: this.host, port: this.port, method: req.method, path: req.path, headers, agent: this.#agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.once('error', reject);
      });
      if (req.timeoutMs) r.setTimeout(req.timeoutMs, () => r.destroy(new Error(`app did not answer within ${req.timeoutMs} ms`)));
      r.once('error', reject);
      r.end(req.body);
    });
  }

  async #acquire(): Promise<void> {
    if (this.maxConcurrency <= 0 || this.#inFlight < this.maxConcurrency) {
      this.#inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next(); // hand the slot over directly
    else this.#inFlight--;
  }
}
