/**
 * SASL GSSAPI (Kerberos V5, RFC 4752) as a SaslMechanism, over the optional native npm package `kerberos`
 * (mongodb-js; a Node-API addon built against libkrb5), imported on first use. The credentials are the process's
 * (a ticket cache, KRB5CCNAME, kept fresh by `kinit -k` or a sidecar; or a client keytab, KRB5_CLIENT_KTNAME), towards
 * the host-based service SERVICE@HOST (hive/<host>; the realm is the one krb5.conf maps the host to). Security layer:
 * none (HMS's default hadoop.rpc.protection=authentication; with TLS HMS forces it); a metastore that offers only
 * integrity or privacy is refused with an error naming hadoop.rpc.protection. The authorization id sent is the
 * authenticated principal (what Hadoop's SASL server requires).
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { SaslMechanism } from './sasl-transport.js';

interface KerberosClient {
  username: string;
  contextComplete: boolean;
  step(challenge: string): Promise<string | null>;
  unwrap(challenge: string): Promise<string | null>;
  wrap(challenge: string, options?: { user?: string }): Promise<string | null>;
}

/** What Lakegate uses of the `kerberos` package. */
export interface KerberosModule {
  initializeClient(service: string, options: { mechOID?: unknown }): Promise<KerberosClient>;
  GSS_MECH_OID_KRB5: unknown;
}

let loaded: Promise<KerberosModule> | undefined;

/** The `kerberos` package, or a 400-class error saying how to get it (it is an optional dependency); imported once. */
export function loadKerberos(): Promise<KerberosModule> {
  loaded ??= importKerberos('kerberos').catch((e: unknown) => {
    loaded = undefined;
    throw e;
  });
  return loaded;
}

/** Imports the package NAME (`kerberos`; another name in a test) as a KerberosModule. */
export function importKerberos(name: string): Promise<KerberosModule> {
  return (import(name) as Promise<{ default?: KerberosModule } & Partial<KerberosModule>>).then(
    (m) => (m.initializeClient ? (m as KerberosModule) : m.default!),
    () => {
      throw new CatalogError(
        'ERR_VALIDATION',
        "federation.auth kerberos needs the optional npm package kerberos (a native addon): install libkrb5-dev (Debian) and run npm install kerberos@7.0.0 where Lakegate's server is installed",
      );
    },
  );
}

export function gssapiMechanism(load: () => Promise<KerberosModule>, service: string, host: string): SaslMechanism {
  let client: KerberosClient | undefined;
  const b64 = (s: string | null) => (s ? Buffer.from(s, 'base64') : Buffer.alloc(0));
  return {
    name: 'GSSAPI',
    secrets: [],
    settings: `federation.kerberos-principal (${service}/${host}) and the server's Kerberos credentials (KRB5CCNAME or KRB5_CLIENT_KTNAME)`,
    async initial() {
      const kerberos = await load();
      client = await kerberos.initializeClient(`${service}@${host}`, { mechOID: kerberos.GSS_MECH_OID_KRB5 });
      return { response: b64(await client.step('')), complete: false };
    },
    async evaluate(challenge) {
      if (!client) throw new Error('no GSSAPI context');
      if (!client.contextComplete) return { response: b64(await client.step(challenge.toString('base64'))), complete: false };
      // RFC 4752's last step: the server's wrapped [offered layers, max buffer]; answer no layer (1) and the authzid.
      const offer = b64(await client.unwrap(challenge.toString('base64')));
      if (offer.length < 4 || (offer[0]! & 1) === 0)
        throw new Error(
          'the metastore requires a SASL integrity or privacy layer (hadoop.rpc.protection), which Lakegate does not offer yet: use authentication, with TLS for privacy',
        );
      return { response: b64(await client.wrap(offer.toString('base64'), { user: client.username })), complete: true };
    },
  };
}
