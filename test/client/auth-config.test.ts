/**
 * Bad auth configuration fails when the provider or catalog is constructed, with a message that names the problem
 * and never echoes a secret; nothing is sent. Also: how properties pick a provider.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ConfigurationError,
  createAuthProvider,
  GcpAuth,
  IcebergRestCatalog,
  OAuth2Auth,
  registeredAuthProviders,
  SigV4Auth,
  TokenExchangeAuth,
  tokenExchangeAuth,
  bearerAuth,
} from '@lakegate/client';
import { afterEach, describe, expect, it, vi } from 'vitest';

const URI = 'http://127.0.0.1:8181';
const SECRET = 'very-secret-value-42';

/** A fetch that fails the test if anything is sent. */
const noFetch = (() => {
  throw new Error('no request may be sent while constructing');
}) as unknown as typeof fetch;

function configError(build: () => unknown): ConfigurationError {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as Error).message).not.toContain(SECRET);
    return e as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

const create = (properties: Record<string, string>) => createAuthProvider(properties, { uri: URI, fetch: noFetch });

afterEach(() => vi.unstubAllEnvs());

describe('choosing a provider by name', () => {
  it('registers every built-in by name', () => {
    expect(registeredAuthProviders()).toEqual(expect.arrayContaining(['none', 'bearer', 'api-key', 'basic', 'oauth2', 'token-exchange', 'sigv4', 'gcp']));
  });

  it('infers the provider from Iceberg properties', () => {
    expect(create({ credential: `id:${SECRET}` })).toBeInstanceOf(OAuth2Auth);
    expect(create({ 'rest.auth.type': 'oauth2', token: 'abc' })).toBeInstanceOf(OAuth2Auth);
    expect(create({ 'rest.sigv4-enabled': 'true', 'rest.signing-region': 'eu-west-1' })).toBeInstanceOf(SigV4Auth);
    expect(create({ 'rest.auth.type': 'google' })).toBeInstanceOf(GcpAuth);
    expect(create({ 'rest.auth.type': 'token-exchange', credential: `engine:${SECRET}` })).toBeInstanceOf(TokenExchangeAuth);
  });

  it('refuses an unknown provider name and lists the known ones', () => {
    const e = configError(() => create({ 'rest.auth.type': 'kerberos', credential: `id:${SECRET}` }));
    expect(e.message).toMatch(/unknown auth provider "kerberos"; registered: .*oauth2/);
  });
});

describe('oauth2', () => {
  it('refuses a credential without a secret, or no credential and no token', () => {
    expect(configError(() => create({ 'rest.auth.type': 'oauth2', credential: 'client-id:' })).message).toMatch(/"credential" has no client secret/);
    expect(configError(() => create({ 'rest.auth.type': 'oauth2', credential: `:${SECRET}` })).message).toMatch(/empty client id/);
    expect(configError(() => create({ 'rest.auth.type': 'oauth2' })).message).toMatch(/needs "credential".*or "token"/);
  });

  it('refuses a token endpoint that is not http(s), embeds credentials, or is plain http to another host', () => {
    expect(configError(() => create({ credential: `id:${SECRET}`, 'oauth2-server-uri': 'ftp://idp.example.com/token' })).message).toMatch(
      /must be an http\(s\) URL, got ftp:/,
    );
    expect(configError(() => create({ credential: `id:${SECRET}`, 'oauth2-server-uri': `https://u:${SECRET}@idp.example.com/token` })).message).toMatch(
      /must not embed credentials/,
    );
    expect(configError(() => create({ credential: `id:${SECRET}`, 'oauth2-server-uri': 'http://idp.example.com/token' })).message).toMatch(
      /plain http.*rest\.auth\.oauth2\.allow-insecure-http=true/,
    );
    // Explicitly allowed, or on this machine, or https: fine.
    expect(
      create({ credential: `id:${SECRET}`, 'oauth2-server-uri': 'http://idp.example.com/token', 'rest.auth.oauth2.allow-insecure-http': 'true' }),
    ).toBeInstanceOf(OAuth2Auth);
    expect(create({ credential: `id:${SECRET}`, 'oauth2-server-uri': 'http://localhost:9000/token' })).toBeInstanceOf(OAuth2Auth);
    expect(create({ credential: `id:${SECRET}`, 'oauth2-server-uri': 'https://idp.example.com/token' })).toBeInstanceOf(OAuth2Auth);
  });

  it('needs a token endpoint: oauth2-server-uri or the catalog uri', () => {
    expect(configError(() => createAuthProvider({ credential: `id:${SECRET}` }, { fetch: noFetch })).message).toMatch(
      /needs "oauth2-server-uri" or the catalog uri/,
    );
  });

  it('refuses an unknown client authentication method', () => {
    expect(configError(() => create({ credential: `id:${SECRET}`, 'rest.auth.oauth2.token-endpoint-auth-method': 'private_key_jwt' })).message).toMatch(
      /client_secret_post or client_secret_basic/,
    );
  });
});

describe('token-exchange', () => {
  it('refuses to start without an actor', () => {
    expect(configError(() => create({ 'rest.auth.type': 'token-exchange' })).message).toMatch(/needs an actor: set "credential".*or "token"/);
    expect(configError(() => tokenExchangeAuth({ tokenEndpoint: `${URI}/v1/oauth/tokens`, actor: undefined as never })).message).toMatch(/needs an actor/);
  });

  it('refuses actors that carry no bearer token, and client-auth without a client id', () => {
    expect(
      configError(() => create({ 'rest.auth.type': 'token-exchange', 'rest.auth.token-exchange.actor-auth-type': 'sigv4', token: SECRET })).message,
    ).toMatch(/yields no bearer token/);
    expect(
      configError(() => create({ 'rest.auth.type': 'token-exchange', token: SECRET, 'rest.auth.token-exchange.actor-mode': 'client-auth' })).message,
    ).toMatch(/client-auth needs "credential"/);
    expect(configError(() => create({ 'rest.auth.type': 'token-exchange', token: SECRET, 'rest.auth.token-exchange.actor-mode': 'both' })).message).toMatch(
      /actor-token or client-auth/,
    );
    expect(
      configError(() => create({ 'rest.auth.type': 'token-exchange', token: SECRET, 'rest.auth.token-exchange.subject-token-type': 'saml9' })).message,
    ).toMatch(/unknown token type/);
  });

  it('refuses an empty subject token for a session', () => {
    const exchange = tokenExchangeAuth({ tokenEndpoint: `${URI}/v1/oauth/tokens`, actor: bearerAuth(SECRET), fetch: noFetch });
    expect(configError(() => exchange.sessionFor('')).message).toMatch(/subject token is empty/);
  });
});

describe('sigv4', () => {
  it('needs a region: rest.signing-region or AWS_REGION', () => {
    vi.stubEnv('AWS_REGION', '');
    vi.stubEnv('AWS_DEFAULT_REGION', '');
    expect(configError(() => create({ 'rest.sigv4-enabled': 'true' })).message).toMatch(/needs a signing region: set rest\.signing-region \(or AWS_REGION\)/);
    vi.stubEnv('AWS_REGION', 'eu-north-1');
    expect((create({ 'rest.sigv4-enabled': 'true' }) as SigV4Auth).region).toBe('eu-north-1');
  });

  it('refuses half a static key, a bad signing name, and itself as delegate', () => {
    const base = { 'rest.auth.type': 'sigv4', 'rest.signing-region': 'us-east-1' };
    expect(configError(() => create({ ...base, 'rest.secret-access-key': SECRET })).message).toMatch(/go together/);
    expect(configError(() => create({ ...base, 'rest.signing-name': 'Execute API' })).message).toMatch(/rest\.signing-name/);
    expect(configError(() => create({ ...base, 'rest.auth.sigv4.delegate-auth-type': 'sigv4' })).message).toMatch(/delegate cannot be sigv4/);
    expect(configError(() => create({ ...base, 'rest.auth.sigv4.delegate-auth-type': 'oauth2' })).message).toMatch(/needs "credential"/);
  });

  it('conflicts with a static Authorization header (checked by the client options)', () => {
    const e = configError(
      () =>
        new IcebergRestCatalog({
          uri: URI,
          fetch: noFetch,
          properties: { 'rest.sigv4-enabled': 'true', 'rest.signing-region': 'us-east-1', 'header.Authorization': `Bearer ${SECRET}` },
        }),
    );
    expect(e.message).toMatch(/static Authorization header conflicts with the "sigv4" auth provider/);
  });
});

describe('gcp, basic, bearer, api-key', () => {
  it('checks a configured credentials file and the scopes', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lakegate-gcp-'));
    expect(configError(() => create({ 'rest.auth.type': 'gcp', 'gcp.auth.credentials-path': path.join(dir, 'missing.json') })).message).toMatch(
      /does not exist/,
    );
    writeFileSync(path.join(dir, 'bad.json'), `{"private_key": "${SECRET}"`);
    expect(configError(() => create({ 'rest.auth.type': 'gcp', 'gcp.auth.credentials-path': path.join(dir, 'bad.json') })).message).toMatch(/is not JSON/);
    expect(configError(() => create({ 'rest.auth.type': 'gcp', 'gcp.auth.scopes': ' , ' })).message).toMatch(/scopes must be non-empty/);
  });

  it('needs the basic username and password, a bearer token and an API key', () => {
    expect(configError(() => create({ 'rest.auth.type': 'basic', 'rest.auth.basic.username': 'reader' })).message).toMatch(
      /needs the property "rest\.auth\.basic\.password"/,
    );
    expect(configError(() => create({ 'rest.auth.type': 'bearer' })).message).toMatch(/needs the property "token"/);
    expect(configError(() => create({ 'rest.auth.type': 'api-key' })).message).toMatch(/needs the property "rest\.auth\.api-key"/);
  });
});
