import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import { kafkaPubSub } from '../../src/components/pubsub/kafka/index.js';
import { resolveAuthType } from '../../src/components/_shared/kafka/settings.js';
import { pubsubFactory } from './kafka-fixtures.js';

/** Every metadata key daprd's pubsub.kafka documents, with a plausible value. */
const DAPRD_KEYS: Record<string, string> = {
  brokers: 'localhost:9092', consumerGroup: 'g', clientID: 'my-app', authType: 'none', initialOffset: 'oldest', maxMessageBytes: '2048',
  consumeRetryInterval: '200ms', consumeRetryEnabled: 'true', heartbeatInterval: '5s', sessionTimeout: '20s', version: '2.0.0',
  skipVerify: 'false', disableTls: 'true', channelBufferSize: '128', consumerFetchMin: '4', consumerFetchDefault: '2097152',
  clientConnectionTopicMetadataRefreshInterval: '4m', clientConnectionKeepAliveInterval: '4m', dialTimeout: '10s', readTimeout: '10s',
  writeTimeout: '10s', metadataTimeout: '5s', producerRequiredAcks: 'local', producerRetryMax: '3', schemaRegistryURL: 'http://localhost:8081',
  schemaRegistryAPIKey: 'k', schemaRegistryAPISecret: 's', schemaCachingEnabled: 'true', schemaLatestVersionCacheTTL: '5m', escapeHeaders: 'true',
  useAvroJSON: 'false', compression: 'gzip', consumerGroupRebalanceStrategy: 'roundrobin', excludeHeaderMetaRegex: '^rawPayload$',
  saslUsername: 'u', saslPassword: 'p', saslMechanism: 'SHA-512', caCert: '-----BEGIN CERTIFICATE-----', clientCert: 'c', clientKey: 'k',
  authRequired: 'false', oidcTokenEndpoint: 'https://idp', oidcClientID: 'id', oidcClientSecret: 's', oidcScopes: 'openid', oidcExtensions: '{}',
  oidcClientAssertionCert: 'c', oidcClientAssertionKey: 'k', oidcResource: 'r', oidcAudience: 'a', oidcKid: 'kid', awsRegion: 'eu-west-1',
  awsAccessKey: 'a', awsSecretKey: 's', awsSessionToken: 't', awsIamRoleArn: 'arn', awsStsSessionName: 'n',
};

/** Inits an adapter with metadata that fails before any connection is attempted. */
async function initError(metadata: Record<string, string>): Promise<string> {
  const checked = validateAdapterMetadata(kafkaPubSub, { brokers: '127.0.0.1:1', ...metadata });
  expect(checked.errors).toEqual([]);
  const ps = (await kafkaPubSub.load())({ name: 'k', logger: pino({ level: 'silent' }) });
  return ps.init(checked.value).then(() => 'initialised', (err: Error) => err.message);
}

describe('pubsub.kafka metadata', () => {
  const factory = pubsubFactory();
  afterAll(() => factory.closeAll());

  it('accepts every key daprd documents, so a daprd component file loads without warnings', () => {
    const checked = validateAdapterMetadata(kafkaPubSub, DAPRD_KEYS);
    expect(checked.errors).toEqual([]);
    expect(checked.unknown).toEqual([]);
  });

  it('fills daprd\'s defaults', () => {
    const { value } = validateAdapterMetadata(kafkaPubSub, { brokers: 'localhost:9092' });
    expect(value).toMatchObject({ initialOffset: 'newest', heartbeatInterval: '3s', sessionTimeout: '10s', consumeRetryInterval: '100ms', producerRequiredAcks: 'all', producerRetryMax: 5, compression: 'none', consumerGroupRebalanceStrategy: 'range', disableTls: false });
  });

  it('refuses at init what this build cannot serve, before connecting anywhere', async () => {
    expect(await initError({ authType: 'oidc' })).toMatch(/authType: "oidc" is not supported/);
    expect(await initError({ authType: 'awsiam' })).toMatch(/not supported/);
    expect(await initError({ authType: 'password', saslUsername: 'u' })).toMatch(/saslPassword/);
    expect(await initError({ authType: 'mtls', disableTls: 'true' })).toMatch(/mtls needs TLS/);
    expect(await initError({ authType: 'certificate' })).toMatch(/needs caCert/);
    expect(await initError({ authType: 'certificate', caCert: 'not pem' })).toMatch(/caCert: not a PEM block/);
    expect(await initError({ compression: 'snappy' })).toMatch(/compression: "snappy" needs a codec/);
    expect(await initError({ excludeHeaderMetaRegex: '(' })).toMatch(/excludeHeaderMetaRegex/);
    expect(await initError({ heartbeatInterval: '10s', sessionTimeout: '5s' })).toMatch(/heartbeatInterval must be shorter/);
  });

  it('maps the deprecated authRequired as daprd does', () => {
    expect(resolveAuthType({ authRequired: true, saslPassword: 'p' })).toBe('password');
    expect(resolveAuthType({ authRequired: true })).toBe('mtls');
    expect(resolveAuthType({ authRequired: false })).toBe('none');
    expect(resolveAuthType({ authType: 'password', authRequired: false })).toBe('password');
    expect(resolveAuthType({})).toBe('none');
  });

  it('refuses schema-registry subscriptions and publishes instead of passing bytes through unchecked', async () => {
    const ps = await factory.create();
    await expect(ps.subscribe({ topic: 't', consumerId: 'g', metadata: { valueSchemaType: 'Avro' } }, async () => {})).rejects.toThrow(/schema registry/);
    await expect(ps.publish({ topic: 't', data: Buffer.from('{}'), metadata: { valueSchemaType: 'JSON' } })).rejects.toThrow(/schema registry/);
  });

  it('loads kafkajs only when a Kafka component is created, not with the adapter registry', async () => {
    // The registry as the CLI bundle carries it: one file, packages left in node_modules (found from dist/).
    const registry = fileURLToPath(new URL(`../../dist/test/builtin-registry-${process.pid}.cjs`, import.meta.url));
    await build({ entryPoints: [fileURLToPath(new URL('../../src/registry/builtin.ts', import.meta.url))], outfile: registry, bundle: true, platform: 'node', format: 'cjs', packages: 'external', logLevel: 'silent' });
    const script = `import { createRequire } from 'node:module';
      await import(${JSON.stringify(registry)});
      const loaded = Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes('/node_modules/kafkajs/'));
      process.stdout.write(String(loaded));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 }).finally(() => rmSync(registry));
    expect(stdout).toBe('false');
  });
});
