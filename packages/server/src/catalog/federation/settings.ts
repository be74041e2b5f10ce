/**
 * A federated warehouse's settings as the management API takes and shows them (protocol FederationSettings), and the
 * connection test made before one is stored: a remote that refuses the credentials, or cannot be reached, is a 400
 * naming the problem; the secret is never echoed (zod issues are reported by path and message only).
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { z } from 'zod';
import { CatalogError } from '../../errors/catalog-error.js';
import type { FederationSettings, RemoteCatalogs, RemoteCredential } from '../ports/remote-catalog.js';

export const FederationInput = z
  .object({
    kind: z.enum(['iceberg-rest', 'glue', 'hive']),
    uri: z.string().optional(),
    region: z
      .string()
      .regex(/^[a-z0-9-]{1,50}$/)
      .optional(),
    'catalog-id': z
      .string()
      .regex(/^[0-9A-Za-z:_-]{1,255}$/)
      .optional(),
    'access-key-id': z.string().min(1).max(128).optional(),
    warehouse: z.string().min(1).max(1000).optional(),
    'oauth2-server-uri': z.string().optional(),
    'client-id': z.string().min(1).max(1000).optional(),
    scope: z.string().max(1000).optional(),
    'timeout-ms': z.number().int().min(100).max(120_000).optional(),
    'max-staleness-ms': z.number().int().min(0).max(3_600_000).optional(),
    'lock-enabled': z.boolean().optional(),
    'lock-timeout-ms': z.number().int().min(100).max(120_000).optional(),
    tls: z.boolean().optional(),
    'tls-ca': z.string().max(200_000).optional(),
    'tls-server-name': z.string().max(253).optional(),
    'tls-client-cert': z.string().max(200_000).optional(),
  })
  .strict();

export const FederationSecretInput = z
  .object({
    'client-secret': z.string().min(1).max(10_000).optional(),
    token: z.string().min(1).max(100_000).optional(),
    'secret-access-key': z.string().min(1).max(1000).optional(),
    'session-token': z.string().min(1).max(10_000).optional(),
    'tls-client-key': z.string().min(1).max(100_000).optional(),
  })
  .strict();

function checkHttpUri(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CatalogError('ERR_VALIDATION', `federation.${field} must be an http or https URI`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CatalogError('ERR_VALIDATION', `federation.${field} must be an http or https URI`);
  if (url.username !== '' || url.password !== '')
    throw new CatalogError('ERR_VALIDATION', `federation.${field} must not carry credentials: put them in federation-secret`);
  return value;
}

/** The settings to store (without the secret id yet) and the credential to seal, checked for consistency. */
export function checkFederation(
  input: z.infer<typeof FederationInput>,
  secret: z.infer<typeof FederationSecretInput> | undefined,
): { settings: FederationSettings; credential: RemoteCredential | undefined } {
  if (input.kind === 'glue') return checkGlue(input, secret);
  if (input.kind === 'hive') return checkHive(input, secret);
  return checkIcebergRest(input, secret);
}

/** The fields of the hive kind only (its HMS table lock, its TLS). */
const hiveOnly = (input: z.infer<typeof FederationInput>) => ({
  'federation.lock-enabled': input['lock-enabled'],
  'federation.lock-timeout-ms': input['lock-timeout-ms'],
  'federation.tls': input.tls,
  'federation.tls-ca': input['tls-ca'],
  'federation.tls-server-name': input['tls-server-name'],
  'federation.tls-client-cert': input['tls-client-cert'],
});

const only = (kind: string, fields: Record<string, unknown>) => {
  for (const [field, value] of Object.entries(fields))
    if (value !== undefined) throw new CatalogError('ERR_VALIDATION', `${field} does not apply to federation.kind ${kind}`);
};

function checkIcebergRest(
  input: z.infer<typeof FederationInput>,
  secret: z.infer<typeof FederationSecretInput> | undefined,
): { settings: FederationSettings; credential: RemoteCredential | undefined } {
  only('iceberg-rest', {
    ...hiveOnly(input),
    'federation.region': input.region,
    'federation.catalog-id': input['catalog-id'],
    'federation.access-key-id': input['access-key-id'],
    'federation-secret.secret-access-key': secret?.['secret-access-key'],
    'federation-secret.session-token': secret?.['session-token'],
    'federation-secret.tls-client-key': secret?.['tls-client-key'],
  });
  const clientSecret = secret?.['client-secret'];
  const token = secret?.token;
  if (input.uri === undefined) throw new CatalogError('ERR_VALIDATION', 'federation.uri is required for federation.kind iceberg-rest');
  if (clientSecret !== undefined && token !== undefined) throw new CatalogError('ERR_VALIDATION', 'federation-secret takes client-secret or token, not both');
  if (input['client-id'] !== undefined && clientSecret === undefined)
    throw new CatalogError('ERR_VALIDATION', 'federation.client-id needs federation-secret.client-secret');
  if (clientSecret !== undefined && input['client-id'] === undefined)
    throw new CatalogError('ERR_VALIDATION', 'federation-secret.client-secret needs federation.client-id');
  const settings: FederationSettings = {
    kind: input.kind,
    uri: checkHttpUri(input.uri, 'uri'),
    warehouse: input.warehouse,
    oauth2ServerUri: input['oauth2-server-uri'] === undefined ? undefined : checkHttpUri(input['oauth2-server-uri'], 'oauth2-server-uri'),
    clientId: input['client-id'],
    scope: input.scope,
    timeoutMs: input['timeout-ms'],
    maxStalenessMs: input['max-staleness-ms'],
  };
  return { settings, credential: clientSecret !== undefined || token !== undefined ? { clientSecret, token } : undefined };
}

/** AWS Glue: a region, an optional endpoint override (uri), and an access key whose secret is sealed. */
function checkGlue(
  input: z.infer<typeof FederationInput>,
  secret: z.infer<typeof FederationSecretInput> | undefined,
): { settings: FederationSettings; credential: RemoteCredential | undefined } {
  only('glue', {
    ...hiveOnly(input),
    'federation.warehouse': input.warehouse,
    'federation.oauth2-server-uri': input['oauth2-server-uri'],
    'federation.client-id': input['client-id'],
    'federation.scope': input.scope,
    'federation-secret.client-secret': secret?.['client-secret'],
    'federation-secret.token': secret?.token,
    'federation-secret.tls-client-key': secret?.['tls-client-key'],
  });
  if (input.region === undefined) throw new CatalogError('ERR_VALIDATION', 'federation.region is required for federation.kind glue');
  const secretAccessKey = secret?.['secret-access-key'];
  if ((input['access-key-id'] === undefined) !== (secretAccessKey === undefined))
    throw new CatalogError('ERR_VALIDATION', 'federation.access-key-id and federation-secret.secret-access-key go together');
  if (secret?.['session-token'] !== undefined && secretAccessKey === undefined)
    throw new CatalogError('ERR_VALIDATION', 'federation-secret.session-token needs federation-secret.secret-access-key');
  const settings: FederationSettings = {
    kind: 'glue',
    uri: input.uri === undefined ? `https://glue.${input.region}.amazonaws.com` : checkHttpUri(input.uri, 'uri'),
    region: input.region,
    catalogId: input['catalog-id'],
    accessKeyId: input['access-key-id'],
    timeoutMs: input['timeout-ms'],
    maxStalenessMs: input['max-staleness-ms'],
  };
  return { settings, credential: secretAccessKey === undefined ? undefined : { secretAccessKey, sessionToken: secret?.['session-token'] } };
}

/**
 * A Hive Metastore: its Thrift address (thrift://host:port), its table lock and TLS settings. HMS without SASL takes no
 * credential; the one secret is the private key of a TLS client certificate (mutual TLS), so any other
 * federation-secret field is refused rather than kept unused.
 */
function checkHive(
  input: z.infer<typeof FederationInput>,
  secret: z.infer<typeof FederationSecretInput> | undefined,
): { settings: FederationSettings; credential: RemoteCredential | undefined } {
  only('hive', {
    'federation.region': input.region,
    'federation.catalog-id': input['catalog-id'],
    'federation.access-key-id': input['access-key-id'],
    'federation.warehouse': input.warehouse,
    'federation.oauth2-server-uri': input['oauth2-server-uri'],
    'federation.client-id': input['client-id'],
    'federation.scope': input.scope,
  });
  only('hive', {
    'federation-secret.client-secret': secret?.['client-secret'],
    'federation-secret.token': secret?.token,
    'federation-secret.secret-access-key': secret?.['secret-access-key'],
    'federation-secret.session-token': secret?.['session-token'],
  });
  if (input.uri === undefined) throw new CatalogError('ERR_VALIDATION', 'federation.uri is required for federation.kind hive (thrift://host:port)');
  if (input['lock-enabled'] === false && input['lock-timeout-ms'] !== undefined)
    throw new CatalogError('ERR_VALIDATION', 'federation.lock-timeout-ms does not apply with federation.lock-enabled false');
  return {
    settings: {
      kind: 'hive',
      uri: checkThriftUri(input.uri),
      timeoutMs: input['timeout-ms'],
      maxStalenessMs: input['max-staleness-ms'],
      lockEnabled: input['lock-enabled'],
      lockTimeoutMs: input['lock-timeout-ms'],
      ...checkHiveTls(input),
    },
    credential: checkClientKey(input, secret?.['tls-client-key']),
  };
}

/**
 * TLS towards the metastore: on or off (verification is always on when on); a CA bundle and a server name only with
 * it. The CA bundle is public (certificates, no key): kept as plain settings and shown, never a secret. Its content is
 * never echoed in an error (only which setting and why).
 */
function checkHiveTls(input: z.infer<typeof FederationInput>): Pick<FederationSettings, 'tls' | 'tlsCa' | 'tlsServerName' | 'tlsClientCert'> {
  const ca = input['tls-ca'];
  const name = input['tls-server-name'];
  const cert = input['tls-client-cert'];
  if (input.tls !== true) {
    if (ca !== undefined) throw new CatalogError('ERR_VALIDATION', 'federation.tls-ca needs federation.tls true');
    if (name !== undefined) throw new CatalogError('ERR_VALIDATION', 'federation.tls-server-name needs federation.tls true');
    if (cert !== undefined) throw new CatalogError('ERR_VALIDATION', 'federation.tls-client-cert needs federation.tls true');
    return input.tls === false ? { tls: false } : {};
  }
  if (name !== undefined && !/^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(name))
    throw new CatalogError('ERR_VALIDATION', "federation.tls-server-name must be a DNS name (the name the metastore's certificate carries)");
  return {
    tls: true,
    ...(ca === undefined ? {} : { tlsCa: checkPemBundle(ca, 'tls-ca', true) }),
    ...(name === undefined ? {} : { tlsServerName: name }),
    ...(cert === undefined ? {} : { tlsClientCert: checkPemBundle(cert, 'tls-client-cert', false) }),
  };
}

/**
 * The client certificate's private key (mutual TLS): with federation.tls-client-cert only, PEM, unencrypted, and the
 * key of that certificate (the first of the chain). Never echoed: errors name the field and why, not the text.
 */
function checkClientKey(input: z.infer<typeof FederationInput>, pem: string | undefined): RemoteCredential | undefined {
  const cert = input['tls-client-cert'];
  if (pem === undefined) {
    if (cert !== undefined) throw new CatalogError('ERR_VALIDATION', 'federation.tls-client-cert needs its private key in federation-secret.tls-client-key');
    return undefined;
  }
  if (cert === undefined) throw new CatalogError('ERR_VALIDATION', 'federation-secret.tls-client-key needs federation.tls-client-cert');
  let key: KeyObject;
  try {
    if (!/^\s*-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(pem)) throw new Error('not PEM');
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new CatalogError('ERR_VALIDATION', 'federation-secret.tls-client-key must be an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)');
  }
  // checkHiveTls parsed the chain before: its first certificate is Lakegate's.
  if (!new X509Certificate(cert.match(PEM_CERTIFICATE)![0]!).checkPrivateKey(key))
    throw new CatalogError('ERR_VALIDATION', 'federation-secret.tls-client-key is not the private key of federation.tls-client-cert');
  return { tlsClientKey: pem };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+?-----END CERTIFICATE-----/g;

/**
 * One or more PEM certificates and nothing else (no private key, no other text); answered normalized. A CA bundle's
 * certificates are CAs or self-signed; a client certificate's chain is the certificate, then its intermediates.
 */
function checkPemBundle(pem: string, field: 'tls-ca' | 'tls-client-cert', ca: boolean): string {
  const bad = (why: string) =>
    new CatalogError('ERR_VALIDATION', `federation.${field} must be one or more PEM certificates (-----BEGIN CERTIFICATE-----): ${why}`);
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw bad('none found');
  if (blocks.length > 100) throw bad('more than 100');
  if (pem.replace(PEM_CERTIFICATE, '').trim() !== '') throw bad('it holds something else besides certificates');
  blocks.forEach((block, i) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch {
      throw bad(`certificate ${i + 1} does not parse`);
    }
    if (ca && !cert.ca && !cert.checkIssued(cert)) throw bad(`certificate ${i + 1} is neither a CA nor self-signed`);
  });
  const normalized = blocks.map((b) => b.replace(/\r\n/g, '\n')).join('\n') + '\n';
  if (!ca) return normalized;
  try {
    createSecureContext({ ca: normalized });
  } catch {
    throw bad('Node cannot use it as a CA bundle');
  }
  return normalized;
}

function checkThriftUri(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const ok =
    url !== undefined &&
    url.protocol === 'thrift:' &&
    url.hostname !== '' &&
    /^\d{1,5}$/.test(url.port) &&
    Number(url.port) > 0 &&
    Number(url.port) < 65536 &&
    (url.pathname === '' || url.pathname === '/') &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === '';
  if (!ok) throw new CatalogError('ERR_VALIDATION', 'federation.uri must be thrift://host:port for federation.kind hive');
  return `thrift://${url!.host}`;
}

/** Test the connection: the remote answers its config with these credentials; otherwise a 400 that says why. */
export async function testConnection(remotes: RemoteCatalogs, settings: FederationSettings, credential: RemoteCredential | undefined): Promise<void> {
  try {
    await remotes.connect(settings, credential ?? {}).check();
  } catch (e) {
    if (e instanceof CatalogError && e.code === 'ERR_VALIDATION') throw e;
    const reason = e instanceof CatalogError ? e.message : 'the connection failed';
    throw new CatalogError('ERR_VALIDATION', `The remote catalog at ${settings.uri} did not pass the connection test: ${reason}`);
  }
}

/** What the API shows of a federated warehouse's remote: never the secret, only whether one is set. */
export const federationView = (f: FederationSettings) => ({
  kind: f.kind,
  uri: f.uri,
  ...(f.region === undefined ? {} : { region: f.region }),
  ...(f.catalogId === undefined ? {} : { 'catalog-id': f.catalogId }),
  ...(f.accessKeyId === undefined ? {} : { 'access-key-id': f.accessKeyId }),
  ...(f.warehouse === undefined ? {} : { warehouse: f.warehouse }),
  ...(f.oauth2ServerUri === undefined ? {} : { 'oauth2-server-uri': f.oauth2ServerUri }),
  ...(f.clientId === undefined ? {} : { 'client-id': f.clientId }),
  ...(f.scope === undefined ? {} : { scope: f.scope }),
  ...(f.timeoutMs === undefined ? {} : { 'timeout-ms': f.timeoutMs }),
  ...(f.maxStalenessMs === undefined ? {} : { 'max-staleness-ms': f.maxStalenessMs }),
  ...(f.lockEnabled === undefined ? {} : { 'lock-enabled': f.lockEnabled }),
  ...(f.lockTimeoutMs === undefined ? {} : { 'lock-timeout-ms': f.lockTimeoutMs }),
  ...(f.tls === undefined ? {} : { tls: f.tls }),
  ...(f.tlsCa === undefined ? {} : { 'tls-ca': f.tlsCa }),
  ...(f.tlsServerName === undefined ? {} : { 'tls-server-name': f.tlsServerName }),
  ...(f.tlsClientCert === undefined ? {} : { 'tls-client-cert': f.tlsClientCert }),
  'has-secret': f.secretId !== undefined,
});
