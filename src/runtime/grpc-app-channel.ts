import { credentials, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import type { Headers, InvokeRequest, InvokeResponse, LocalApp } from '../core/invocation/types.js';
import { httpStatusFromGrpcCode } from '../errors/grpc.js';
import { serviceByName } from '../transports/grpc/protos.js';
import { bufferBody, readAll } from '../util/body-streams.js';
import { grpcOptions } from '../transports/grpc/channel-options.js';
import { UNIMPLEMENTED } from './grpc-event-channel.js';

/** BindingEventResponse as decoded: `to`/`data`/`concurrency` ask for a fan-out to output bindings. */
export interface BindingEventAnswer {
  to: string[];
  data: Buffer;
  concurrency: 'SEQUENTIAL' | 'PARALLEL';
}

type Unary = (req: object, md: Metadata, opts: { deadline?: number }, cb: (err: ServiceError | null, res: unknown) => void) => void;


/**
 * The sidecar's calls into an app that speaks gRPC (`--app-protocol grpc`): AppCallback for invocations,
 * AppCallbackHealthCheck for probes. Headers travel as metadata, `dapr-api-token` when APP_API_TOKEN is set.
 */
export class GrpcAppChannel implements LocalApp {
  readonly #callback: Client & Record<string, Unary>;
  readonly #health: Client & Record<string, Unary>;
  readonly #alpha: Client & Record<string, Unary>;

  constructor(host: string, port: number, private readonly appApiToken: string | undefined, maxMessageBytes: number) {
    const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const opts = grpcOptions(maxMessageBytes);
    const AppCallback = serviceByName('dapr.proto.runtime.v1.AppCallback');
    const HealthCheck = serviceByName('dapr.proto.runtime.v1.AppCallbackHealthCheck');
    this.#callback = new AppCallback(target, credentials.createInsecure(), opts) as unknown as Client & Record<string, Unary>;
    this.#health = new HealthCheck(target, credentials.createInsecure(), opts) as unknown as Client & Record<string, Unary>;
    const Alpha = serviceByName('dapr.proto.runtime.v1.AppCallbackAlpha');
    this.#alpha = new Alpha(target, credentials.createInsecure(), opts) as unknown as Client & Record<string, Unary>;
  }

  async invoke(req: InvokeRequest): Promise<InvokeResponse> {
    const md = this.#metadata();
    for (const [k, values] of Object.entries(req.headers)) {
      if (k === 'content-type' || k.startsWith(':')) continue;
      for (const v of values) md.add(k, v);
    }
    const message = {
      method: req.method,
      data: { type_url: '', value: await readAll(req.body) },
      content_type: req.headers['content-type']?.[0] ?? '',
      http_extension: req.verb ? { verb: req.verb.toUpperCase(), querystring: req.query } : null,
    };
    try {
      const res = (await this.#call(this.#callback, 'OnInvoke', message, md)) as { data: { value: Buffer } | null; content_type: string };
      const headers: Headers = res.content_type ? { 'content-type': [res.content_type] } : {};
      const data = res.data?.value ?? Buffer.alloc(0);
      return { status: 200, headers, body: bufferBody(data), buffered: data };
    } catch (err) {
      const e = err as ServiceError;
      if (typeof e.code !== 'number') throw err;
      // daprd answers with the status as JSON (protojson of google.rpc.Status) and the mapped HTTP code.
      const body = Buffer.from(JSON.stringify({ code: e.code, message: e.details ?? e.message, details: [] }));
      return { status: httpStatusFromGrpcCode(e.code), headers: { 'content-type': ['application/json'] }, body: bufferBody(body) };
    }
  }

  /** The app's programmatic subscriptions (ListTopicSubscriptions); an app without them answers UNIMPLEMENTED. */
  async listTopicSubscriptions(): Promise<never[]> {
    try {
      const res = (await this.#call(this.#callback, 'ListTopicSubscriptions', {}, this.#metadata(), 5000)) as { subscriptions: never[] };
      return res.subscriptions ?? [];
    } catch (err) {
      if ((err as ServiceError).code === 12) return [];
      throw err;
    }
  }

  /** One event: the app's status (SUCCESS, RETRY, DROP), UNIMPLEMENTED as itself; any other gRPC error retries. */
  async onTopicEvent(event: object): Promise<string> {
    try {
      const res = (await this.#call(this.#callback, 'OnTopicEvent', event, this.#metadata(), 60_000)) as { status: string };
      return res.status || 'SUCCESS';
    } catch (err) {
      return (err as ServiceError).code === status.UNIMPLEMENTED ? UNIMPLEMENTED : 'RETRY';
    }
  }

  /**
   * A bulk delivery (OnBulkTopicEvent, falling back to OnBulkTopicEventAlpha1 as daprd does): each entry's
   * status; UNIMPLEMENTED from both answers UNIMPLEMENTED for every entry, any other error retries them.
   */
  async onBulkTopicEvent(request: object): Promise<Map<string, string> | string> {
    let res: { statuses: Array<{ entry_id: string; status: string }> };
    try {
      try {
        res = (await this.#call(this.#callback, 'OnBulkTopicEvent', request, this.#metadata(), 60_000)) as typeof res;
      } catch (err) {
        if ((err as ServiceError).code !== status.UNIMPLEMENTED) throw err;
        res = (await this.#call(this.#alpha, 'OnBulkTopicEventAlpha1', request, this.#metadata(), 60_000)) as typeof res;
      }
    } catch (err) {
      return (err as ServiceError).code === status.UNIMPLEMENTED ? UNIMPLEMENTED : 'RETRY';
    }
    return new Map((res.statuses ?? []).map((s) => [s.entry_id, s.status || 'SUCCESS']));
  }

  /** The input bindings the app wants events of (ListInputBindings); UNIMPLEMENTED means none. */
  async listInputBindings(): Promise<string[]> {
    try {
      const res = (await this.#call(this.#callback, 'ListInputBindings', {}, this.#metadata(), 5000)) as { bindings: string[] };
      return res.bindings ?? [];
    } catch (err) {
      if ((err as ServiceError).code === status.UNIMPLEMENTED) return [];
      throw err;
    }
  }

  /** One binding event (OnBindingEvent); a gRPC error is the app refusing it. */
  async onBindingEvent(event: { name: string; data: Buffer; metadata: Record<string, string> }, timeoutMs: number): Promise<BindingEventAnswer> {
    return (await this.#call(this.#callback, 'OnBindingEvent', event, this.#metadata(), timeoutMs)) as BindingEventAnswer;
  }

  /** One health probe: resolves true when the app answers OK within the timeout. */
  async healthy(timeoutMs: number): Promise<boolean> {
    try {
      await this.#call(this.#health, 'HealthCheck', {}, this.#metadata(), timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    this.#callback.close();
    this.#health.close();
    this.#alpha.close();
  }

  #metadata(): Metadata {
    const md = new Metadata();
    if (this.appApiToken) md.set('dapr-api-token', this.appApiToken);
    return md;
  }

  #call(client: Client & Record<string, Unary>, rpc: string, req: object, md: Metadata, timeoutMs?: number): Promise<unknown> {
    return new Promise((resolve, reject) =>
      client[rpc].call(client, req, md, timeoutMs ? { deadline: Date.now() + timeoutMs } : {}, (err, res) => (err ? reject(err) : resolve(res))),
    );
  }
}
