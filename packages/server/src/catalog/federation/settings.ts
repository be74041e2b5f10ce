/**
 * A federated warehouse's settings as the management API takes and shows them (protocol FederationSettings), and the
 * connection test made before one is stored: a remote that refuses the credentials, or cannot be reached, is a 400
 * naming the problem; the secret is never echoed (zod issues are reported by path and message only).
 */
import type { z } from 'zod';
import { CatalogError } from '../../errors/catalog-error.js';
import type { FederationSettings, RemoteCatalogs, RemoteCredential } from '../ports/remote-catalog.js';
import { checkHive, only } from './settings-hive.js';
import { FederationInput, FederationSecretInput } from './settings-input.js';

export { FederationInput, FederationSecretInput };

/** Longest remote URI taken: a base address, never a payload (the connection test's 400 and the 503s name it). */
const MAX_URI_CHARS = 2048;

/**
 * A remote's http(s) address, refused (never echoed: it may hold a secret) unless it is a plain base URI: no
 * credentials in it, no query or fragment (a token or signature there would be shown in GET, in every 503 naming the
 * remote and in the audit; and the client appends paths to it), no spaces or control characters (which the URL parser
 * would silently drop, so the address connected to would not be the one stored and shown), at most MAX_URI_CHARS.
 */
function checkHttpUri(value: string, field: string): string {
  if (value.length > MAX_URI_CHARS) throw new CatalogError('ERR_VALIDATION', `federation.${field} must be at most ${MAX_URI_CHARS} characters`);
  if (/[\u0000-\u0020\u007f-\u009f]/.test(value)) throw new CatalogError('ERR_VALIDATION', `federation.${field} must not contain spaces or control characters`);
  if (value.includes('?') || value.includes('#'))
    throw new CatalogError('ERR_VALIDATION', `federation.${field} must not carry a query or fragment: put credentials in federation-secret`);
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

/** The fields of the hive kind only (its HMS table lock, its TLS, its login). */
const hiveOnly = (input: z.infer<typeof FederationInput>) => ({
  'federation.auth': input.auth,
  'federation.username': input.username,
  'federation.kerberos-principal': input['kerberos-principal'],
  'federation.lock-enabled': input['lock-enabled'],
  'federation.lock-timeout-ms': input['lock-timeout-ms'],
  'federation.tls': input.tls,
  'federation.tls-ca': input['tls-ca'],
  'federation.tls-server-name': input['tls-server-name'],
  'federation.tls-client-cert': input['tls-client-cert'],
});

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
    'federation-secret.password': secret?.password,
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
    'federation-secret.password': secret?.password,
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
  ...(f.auth === undefined ? {} : { auth: f.auth }),
  ...(f.username === undefined ? {} : { username: f.username }),
  ...(f.kerberosPrincipal === undefined ? {} : { 'kerberos-principal': f.kerberosPrincipal }),
  'has-secret': f.secretId !== undefined,
});
