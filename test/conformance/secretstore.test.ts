import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import type { ComponentDescriptor } from '../../src/contracts/component.js';
import { SecretStoreFeature, type SecretStore } from '../../src/contracts/secretstore.js';
import { localEnvSecretStore } from '../../src/components/secretstores/local-env/index.js';
import { localFileSecretStore } from '../../src/components/secretstores/local-file/index.js';

const dir = mkdtempSync(join(tmpdir(), 'mecha-secrets-'));
writeFileSync(join(dir, 'flat.json'), JSON.stringify({ conformance_one: 'v1', conformance_two: 'v2' }));
writeFileSync(join(dir, 'multi.json'), JSON.stringify({ conformance_one: { conformance_one: 'v1' }, conformance_two: { conformance_two: 'v2' } }));
process.env.MECHA_CONF_conformance_one = 'v1';
process.env.MECHA_CONF_conformance_two = 'v2';

/** One line per secret store setup; each holds conformance_one=v1 and conformance_two=v2. */
const matrix: Array<{ label: string; descriptor: ComponentDescriptor<SecretStore>; metadata: Record<string, string>; features: SecretStoreFeature[] }> = [
  { label: 'local.file', descriptor: localFileSecretStore, metadata: { secretsFile: join(dir, 'flat.json') }, features: [] },
  { label: 'local.file multiValued', descriptor: localFileSecretStore, metadata: { secretsFile: join(dir, 'multi.json'), multiValued: 'true' }, features: [SecretStoreFeature.MultipleKeyValuesPerSecret] },
  { label: 'local.env', descriptor: localEnvSecretStore, metadata: { prefix: 'MECHA_CONF_' }, features: [] },
];

for (const c of matrix) {
  describe(`${c.label} conformance`, () => {
    let store: SecretStore;
    beforeAll(async () => {
      const checked = validateAdapterMetadata(c.descriptor, c.metadata);
      expect(checked.errors).toEqual([]);
      store = (await c.descriptor.load())({ name: 'secrets', logger: pino({ level: 'silent' }) });
      await store.init(checked.value);
    });
    afterAll(() => store?.close());

    it('declares exactly the features of the matrix', () => {
      expect([...store.features()]).toEqual(c.features);
    });

    it('gets one secret as its key/value pairs', async () => {
      expect(await store.getSecret('conformance_one', {})).toEqual({ conformance_one: 'v1' });
    });

    it('gets every secret in bulk', async () => {
      const all = await store.bulkGetSecret({});
      expect(all.conformance_one).toEqual({ conformance_one: 'v1' });
      expect(all.conformance_two).toEqual({ conformance_two: 'v2' });
    });
  });
}

describe('secret store specifics', () => {
  it('local.file flattens nested objects with the separator and fails on a missing secret', async () => {
    writeFileSync(join(dir, 'nested.json'), JSON.stringify({ db: { user: 'u', ports: [1, 2] } }));
    const store = (await localFileSecretStore.load())({ name: 's', logger: pino({ level: 'silent' }) });
    await store.init({ secretsFile: join(dir, 'nested.json'), nestedSeparator: '.', multiValued: false });
    expect(await store.getSecret('db.user', {})).toEqual({ 'db.user': 'u' });
    expect(await store.getSecret('db.ports.1', {})).toEqual({ 'db.ports.1': '2' });
    await expect(store.getSecret('nope', {})).rejects.toThrow('secret nope not found');
  });

  it('local.env never reveals DAPR_* variables', async () => {
    process.env.DAPR_SECRET_TEST = 'hidden';
    const store = (await localEnvSecretStore.load())({ name: 's', logger: pino({ level: 'silent' }) });
    await store.init({ prefix: '' });
    expect(await store.getSecret('DAPR_SECRET_TEST', {})).toEqual({ DAPR_SECRET_TEST: '' });
    expect((await store.bulkGetSecret({})).DAPR_SECRET_TEST).toBeUndefined();
  });
});
