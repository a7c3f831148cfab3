import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/config/configuration.js';
import { DEFAULT_SAMPLING_RATE, resolveTracing } from '../../src/config/tracing-spec.js';
import { formatGrpcTraceBin, parseGrpcTraceBin, parseTraceparent } from '../../src/observability/tracing-context.js';

const dir = mkdtempSync(join(tmpdir(), 'mecha-tracing-config-'));

function configWith(name: string, tracing: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: ${name}\nspec:\n  tracing:\n${tracing}`);
  return file;
}

describe('spec.tracing', () => {
  it('is read from the Configuration: sampling rate, exporters, OTLP address, protocol, security and headers', async () => {
    const file = configWith(
      'full',
      '    samplingRate: "0.5"\n    stdout: true\n    zipkin:\n      endpointAddress: http://127.0.0.1:9411/api/v2/spans\n' +
        '    otel:\n      endpointAddress: 127.0.0.1:4318\n      protocol: http\n      isSecure: false\n      headers: "api-key=s%3Dcret, x-team=core"\n      timeout: 2000\n',
    );
    const spec = await loadConfiguration([file], {});
    expect(resolveTracing(spec.tracing, {})).toEqual({
      samplingRate: 0.5,
      stdout: true,
      zipkinUrl: 'http://127.0.0.1:9411/api/v2/spans',
      otel: { url: 'http://127.0.0.1:4318/v1/traces', protocol: 'http', headers: { 'api-key': 's=cret', 'x-team': 'core' }, timeoutMs: 2000 },
    });
  });

  it('defaults as daprd does: tracing on at 1 in 10 000 without exporters; OTLP over gRPC, TLS unless isSecure is false', () => {
    expect(resolveTracing(undefined, {})).toEqual({ samplingRate: DEFAULT_SAMPLING_RATE, stdout: false });
    expect(resolveTracing({ otel: { endpointAddress: 'collector:4317', headers: [{ name: 'k', value: 'v' }] } }, {}).otel).toEqual({ url: 'https://collector:4317', protocol: 'grpc', headers: { k: 'v' }, timeoutMs: undefined });
    expect(resolveTracing({ samplingRate: '0' }, {}).samplingRate).toBe(0);
  });

  it('takes the OTLP variables when the Configuration names no otel endpoint, raising an unset rate to 1', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_INSECURE: 'true', OTEL_EXPORTER_OTLP_HEADERS: 'a=b', OTEL_EXPORTER_OTLP_TIMEOUT: '500' };
    expect(resolveTracing(undefined, env)).toEqual({ samplingRate: 1, stdout: false, otel: { url: 'http://127.0.0.1:4318/v1/traces', protocol: 'http', headers: { a: 'b' }, timeoutMs: 500 } });
    // The traces-specific variable wins; anything but http* is gRPC; a set rate is kept.
    const traces = resolveTracing({ samplingRate: '0.1' }, { OTEL_EXPORTER_OTLP_ENDPOINT: 'x:1', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces:4317' });
    expect(traces).toMatchObject({ samplingRate: 0.1, otel: { url: 'https://traces:4317', protocol: 'grpc' } });
    // A Configuration's endpoint is never overridden.
    expect(resolveTracing({ otel: { endpointAddress: 'mine:4317', isSecure: false } }, { OTEL_EXPORTER_OTLP_ENDPOINT: 'theirs:4317' }).otel?.url).toBe('http://mine:4317');
    expect(() => resolveTracing(undefined, { OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' })).toThrow(/OTEL_EXPORTER_OTLP_TIMEOUT/);
  });

  it('rejects bad values naming the file and the field', async () => {
    const file = configWith('bad', '    samplingRate: "often"\n    otel:\n      endpointAddress: 127.0.0.1:4317\n      protocol: tcp\n');
    const err = (await loadConfiguration([file], {}).catch((e: Error) => e)) as Error;
    expect(err.message).toContain(`${file}: spec.tracing.samplingRate: must be a number from "0" to "1"`);
    expect(err.message).toContain(`${file}: spec.tracing.otel.protocol: must be one of "http", "grpc"`);
    const above = configWith('above', '    samplingRate: "1.5"\n');
    expect(((await loadConfiguration([above], {}).catch((e: Error) => e)) as Error).message).toContain('spec.tracing.samplingRate');
  });
});

describe('trace context on the wire', () => {
  it('reads traceparent and grpc-trace-bin, and refuses invalid or all-zero ids', () => {
    const ctx = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', sampled: true };
    expect(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toEqual(ctx);
    expect(parseGrpcTraceBin(formatGrpcTraceBin(ctx))).toEqual(ctx);
    expect(parseTraceparent(`00-${'0'.repeat(32)}-b7ad6b7169203331-01`)).toBeUndefined();
    expect(parseTraceparent('garbage')).toBeUndefined();
    expect(parseGrpcTraceBin(Buffer.from([0, 1, 2]))).toBeUndefined();
  });
});
