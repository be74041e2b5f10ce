/**
 * The settings of a federated warehouse of kind hive (settings.ts has the others): the metastore's Thrift address, its
 * table lock, TLS (a CA bundle, a server name, a client certificate whose key is sealed) and login (a password, sealed).
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { CatalogError } from '../../errors/catalog-error.js';
import type { FederationSettings, RemoteCredential } from '../ports/remote-catalog.js';
import type { FederationInputValue, FederationSecretValue } from './settings-input.js';

/** Refuses the fields given that do not apply to KIND. */
export const only = (kind: string, fields: Record<string, unknown>) => {
  for (const [field, value] of Object.entries(fields))
    if (value !== undefined) throw new CatalogError('ERR_VALIDATION', `${field} does not apply to federation.kind ${kind}`);
};

/**
 * A Hive Metastore: its Thrift address (thrift://host:port), its table lock, TLS and login settings. Its secrets are
 * the private key of a TLS client certificate (mutual TLS) and the password of a password login (SASL PLAIN); any
 * other federation-secret field is refused rather than kept unused.
 */
export function checkHive(
  input: FederationInputValue,
  secret: FederationSecretValue | undefined,
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
      ...checkLogin(input, secret?.password),
    },
    credential: credential({ ...checkClientKey(input, secret?.['tls-client-key']), ...(input.auth === 'password' ? { password: secret!.password! } : {}) }),
  };
}

const credential = (c: RemoteCredential) => (Object.keys(c).length === 0 ? undefined : c);

/**
 * The metastore's login: none (the default); a password (SASL PLAIN, HMS's metastore.authentication=CONFIG, LDAP or
 * CUSTOM) with federation.username and the sealed federation-secret.password, neither holding a NUL (PLAIN's
 * separator); or kerberos (SASL GSSAPI) with the server process's Kerberos credentials towards
 * federation.kerberos-principal (default hive/_HOST), with nothing to seal. The password is never echoed: errors name
 * the field and why.
 */
function checkLogin(input: FederationInputValue, password: string | undefined): Pick<FederationSettings, 'auth' | 'username' | 'kerberosPrincipal'> {
  const username = input.username;
  const principal = input['kerberos-principal'];
  if (input.auth !== 'kerberos' && principal !== undefined)
    throw new CatalogError('ERR_VALIDATION', 'federation.kerberos-principal needs federation.auth kerberos');
  if (input.auth !== 'password') {
    if (username !== undefined) throw new CatalogError('ERR_VALIDATION', 'federation.username needs federation.auth password');
    if (password !== undefined) throw new CatalogError('ERR_VALIDATION', 'federation-secret.password needs federation.auth password');
    if (input.auth === 'kerberos') return { auth: 'kerberos', kerberosPrincipal: checkPrincipal(principal ?? 'hive/_HOST') };
    return input.auth === undefined ? {} : { auth: input.auth };
  }
  if (username === undefined) throw new CatalogError('ERR_VALIDATION', 'federation.auth password needs federation.username');
  if (password === undefined) throw new CatalogError('ERR_VALIDATION', 'federation.auth password needs federation-secret.password');
  if (username.includes('\0')) throw new CatalogError('ERR_VALIDATION', 'federation.username must not contain a NUL character');
  if (password.includes('\0')) throw new CatalogError('ERR_VALIDATION', 'federation-secret.password must not contain a NUL character');
  return { auth: 'password', username };
}

/** A metastore's service principal as Hive writes it: service/host, host possibly _HOST, optionally @REALM. */
const PRINCIPAL = /^[A-Za-z0-9._-]{1,100}\/(_HOST|[A-Za-z0-9.-]{1,253})(@[A-Za-z0-9._-]{1,255})?$/;

function checkPrincipal(principal: string): string {
  if (!PRINCIPAL.test(principal))
    throw new CatalogError(
      'ERR_VALIDATION',
      "federation.kerberos-principal must be the metastore's service principal, service/host[@REALM] (e.g. hive/_HOST@EXAMPLE.COM)",
    );
  return principal;
}

/**
 * TLS towards the metastore: on or off (verification is always on when on); a CA bundle and a server name only with
 * it. The CA bundle is public (certificates, no key): kept as plain settings and shown, never a secret. Its content is
 * never echoed in an error (only which setting and why).
 */
function checkHiveTls(input: FederationInputValue): Pick<FederationSettings, 'tls' | 'tlsCa' | 'tlsServerName' | 'tlsClientCert'> {
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
function checkClientKey(input: FederationInputValue, pem: string | undefined): RemoteCredential {
  const cert = input['tls-client-cert'];
  if (pem === undefined) {
    if (cert !== undefined) throw new CatalogError('ERR_VALIDATION', 'federation.tls-client-cert needs its private key in federation-secret.tls-client-key');
    return {};
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
