/**
 * The GSSAPI mechanism's own steps (the handshake with a real KDC and metastore is
 * test/interop/federation-hive-kerberos.test.ts): RFC 4752's security-layer step answers no layer with the
 * authenticated principal as the authorization id, a metastore that offers only integrity or privacy is refused naming
 * hadoop.rpc.protection, and a missing `kerberos` package is a validation error saying how to install it. The GSS
 * context here is a stand-in that records what it is asked (wrap/unwrap as base64 identity).
 */
import { describe, expect, it } from 'vitest';
import { CatalogError } from '../../errors/catalog-error.js';
import { gssapiMechanism, importKerberos, type KerberosModule } from './sasl-gssapi.js';

function standIn(): { module: KerberosModule; asked: string[] } {
  const asked: string[] = [];
  const client = {
    username: 'lakegate@LAKEGATE.TEST',
    contextComplete: false,
    step: async (challenge: string) => {
      asked.push(`step ${challenge}`);
      client.contextComplete = challenge !== '';
      return challenge === '' ? Buffer.from('token-1').toString('base64') : null;
    },
    unwrap: async (challenge: string) => challenge,
    wrap: async (challenge: string, options?: { user?: string }) => {
      asked.push(`wrap ${Buffer.from(challenge, 'base64').toString('hex')} ${options?.user}`);
      return challenge;
    },
  };
  return {
    asked,
    module: {
      GSS_MECH_OID_KRB5: 'krb5',
      initializeClient: async (service: string) => {
        asked.push(`init ${service}`);
        return client;
      },
    },
  };
}

describe('the SASL GSSAPI mechanism', () => {
  it('steps the context, then answers the security-layer offer with no layer and the principal as authzid', async () => {
    const { module, asked } = standIn();
    const mechanism = gssapiMechanism(async () => module, 'hive', 'localhost');
    expect((await mechanism.initial()).response.toString()).toBe('token-1');
    expect(await mechanism.evaluate(Buffer.from('server-token'))).toEqual({ response: Buffer.alloc(0), complete: false });
    // The offer: layers 1 (none) | 2 (integrity), max buffer 0x010000.
    const last = await mechanism.evaluate(Buffer.from([0x03, 0x01, 0x00, 0x00]));
    expect(last.complete).toBe(true);
    expect(asked).toEqual(['init hive@localhost', 'step ', `step ${Buffer.from('server-token').toString('base64')}`, 'wrap 03010000 lakegate@LAKEGATE.TEST']);
  });

  it('refuses a metastore that offers only integrity or privacy, naming hadoop.rpc.protection', async () => {
    const { module } = standIn();
    const mechanism = gssapiMechanism(async () => module, 'hive', 'localhost');
    await mechanism.initial();
    await mechanism.evaluate(Buffer.from('server-token'));
    await expect(mechanism.evaluate(Buffer.from([0x06, 0x01, 0x00, 0x00]))).rejects.toThrow('hadoop.rpc.protection');
  });

  it('a missing kerberos package is a validation error saying how to install it', async () => {
    const failed = await importKerberos('lakegate-no-such-kerberos-package').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(CatalogError);
    expect((failed as CatalogError).code).toBe('ERR_VALIDATION');
    expect((failed as Error).message).toContain('npm install kerberos@7.0.0');
    expect((failed as Error).message).toContain('libkrb5-dev');
  });
});
