import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/parse-run-args.js';

const ANCHORS = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const parse = (args: string[], env: NodeJS.ProcessEnv = {}) => parseRunArgs(['--app-id', 'a', ...args], env, '/tmp').options.mtls;

describe('mTLS flags and environment, as daprd reads them', () => {
  it('are off without --enable-mtls, whatever else is set', () => {
    expect(parse(['--sentry-address', 'x:1'], { DAPR_TRUST_ANCHORS: ANCHORS })).toBeUndefined();
  });

  it('take the control plane identity from flags, else DAPR_CONTROLPLANE_*, else localhost and default', () => {
    expect(parse(['--enable-mtls', '--sentry-address', '127.0.0.1:50001'], { DAPR_TRUST_ANCHORS: ANCHORS })).toEqual({
      trustAnchorsPem: ANCHORS,
      sentryAddress: '127.0.0.1:50001',
      controlPlaneTrustDomain: 'localhost',
      controlPlaneNamespace: 'default',
      certificate: undefined,
      tokenFile: undefined,
    });
    const env = { DAPR_TRUST_ANCHORS: ANCHORS, DAPR_CONTROLPLANE_NAMESPACE: 'dapr-system', DAPR_CONTROLPLANE_TRUST_DOMAIN: 'cluster.local' };
    expect(parse(['--enable-mtls', '--sentry-address', 's:1'], env)).toMatchObject({ controlPlaneNamespace: 'dapr-system', controlPlaneTrustDomain: 'cluster.local' });
    expect(parse(['--enable-mtls', '--sentry-address', 's:1', '--control-plane-namespace', 'ops'], env)).toMatchObject({ controlPlaneNamespace: 'ops' });
  });

  it('use DAPR_CERT_CHAIN and DAPR_CERT_KEY instead of Sentry when both are set', () => {
    expect(parse(['--enable-mtls'], { DAPR_TRUST_ANCHORS: ANCHORS, DAPR_CERT_CHAIN: 'chain', DAPR_CERT_KEY: 'key' })).toMatchObject({
      sentryAddress: undefined,
      certificate: { chainPem: 'chain', keyPem: 'key' },
    });
  });

  it('refuse what cannot work, naming what is missing', () => {
    expect(() => parse(['--enable-mtls', '--sentry-address', 's:1'])).toThrow('--enable-mtls: DAPR_TRUST_ANCHORS must hold the PEM root certificate(s) of the Sentry CA (its ca.crt)');
    expect(() => parse(['--enable-mtls'], { DAPR_TRUST_ANCHORS: ANCHORS })).toThrow('--enable-mtls: --sentry-address is required (or DAPR_CERT_CHAIN and DAPR_CERT_KEY)');
    expect(() => parse(['--enable-mtls', '--sentry-address', 's:1'], { DAPR_TRUST_ANCHORS: ANCHORS, DAPR_CERT_CHAIN: 'chain' })).toThrow('DAPR_CERT_CHAIN and DAPR_CERT_KEY go together');
  });
});
