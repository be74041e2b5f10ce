/**
 * A real Keycloak (OpenID Connect IdP with RFC 8693 token exchange) for a test file: the dist is
 * fetched, pre-built and cached by scripts/peers/keycloak.sh, and the server runs on free loopback
 * ports with the realm(s) of peers/keycloak/ imported (realm `lakegate`, see KEYCLOAK_* below).
 */
import path from 'node:path';
import { peerScript } from './peers.js';
import { peersDir, readPeer, recordPeer } from './shared-peers.js';
import { type ServerProcess, startServer } from './server-process.js';
import { freePort, runAsync, tempDir } from './temp.js';

export const KEYCLOAK_REALM = 'lakegate';
/** The audience Lakegate expects: the `catalog` client scope adds it to every token that carries that scope. */
export const CATALOG_AUDIENCE = 'lakegate';
export const CATALOG_SCOPE = 'catalog';

/** Realm users (peers/keycloak/lakegate-realm.json; test-only passwords). */
export const KEYCLOAK_USERS = {
  alice: { username: 'alice', password: 'alice-password', groups: ['analysts'], roles: ['lakegate-reader'] },
  bob: { username: 'bob', password: 'bob-password', groups: ['engineers'], roles: ['lakegate-reader', 'lakegate-writer'] },
} as const;

/**
 * Realm clients. The confidential ones have service accounts and standard token exchange (V2) on.
 * `lakegate-cli` is public with the password grant; its access tokens carry
 * aud = [trino-engine, spark-engine, lakegate], so both engines may exchange them.
 */
export const KEYCLOAK_CLIENTS = {
  lakegate: { clientId: 'lakegate', secret: 'lakegate-secret' },
  trino: { clientId: 'trino-engine', secret: 'trino-engine-secret' },
  spark: { clientId: 'spark-engine', secret: 'spark-engine-secret' },
  cli: { clientId: 'lakegate-cli', secret: undefined },
  /** Public, Authorization Code + PKCE, redirect URIs http://127.0.0.1:* (the web console). */
  console: { clientId: 'lakegate-console', secret: undefined },
} as const;

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
  issued_token_type?: string;
  [key: string]: unknown;
}

/** A token endpoint answer that was not 200 (status plus Keycloak's `error` / `error_description`). */
export class TokenError extends Error {
  readonly status: number;
  readonly body: { error?: string; error_description?: string; [key: string]: unknown };

  constructor(status: number, body: { error?: string; error_description?: string; [key: string]: unknown }) {
    super(`token endpoint answered ${status}: ${body.error ?? ''} ${body.error_description ?? ''}`.trim());
    this.name = 'TokenError';
    this.status = status;
    this.body = body;
  }
}

export interface ExchangeOptions {
  /** RFC 8693 `audience` (a client id of the realm). Default: the catalog's, `lakegate`. Pass null to omit. */
  audience?: string | null;
  scope?: string;
  subjectTokenType?: string;
}

export interface Keycloak {
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  realm: string;
  /** http://127.0.0.1:PORT/realms/lakegate (pinned with --hostname, whatever host name a client uses) */
  issuer: string;
  discoveryUrl: string;
  tokenEndpoint: string;
  jwksUri: string;
  /** http://127.0.0.1:MGMT_PORT (health: /health/ready) */
  managementUrl: string;
  /** Password grant (client `lakegate-cli` unless given; scope `openid catalog` unless given): the access token. */
  userToken(user: string, password: string, clientId?: string, scope?: string): Promise<string>;
  /** Client credentials grant (scope `catalog` unless given; null for none): the access token. */
  clientToken(clientId: string, secret: string, scope?: string | null): Promise<string>;
  /** Standard token exchange (V2) by a confidential client: the new access token. */
  exchange(clientId: string, secret: string, subjectToken: string, options?: ExchangeOptions): Promise<string>;
  /** POST a form to the token endpoint; resolves with the parsed body, rejects with TokenError unless 200. */
  token(form: Record<string, string>): Promise<TokenResponse>;
  stop(): Promise<void>;
}

async function keycloakSh(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const result = await runAsync('bash', [peerScript('keycloak.sh'), ...args], { env });
  if (result.status !== 0) throw new Error(`keycloak.sh ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1)!.trim();
}

/** Decodes a JWT's payload (no verification). */
export function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Decodes a JWT's header (no verification). */
export function jwtHeader(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** `aud` as a list (Keycloak sends a plain string when there is one audience). */
export function audiences(payload: Record<string, unknown>): string[] {
  const aud = payload.aud;
  if (aud === undefined || aud === null) return [];
  return Array.isArray(aud) ? aud.map(String) : [String(aud)];
}

export interface StartKeycloakOptions {
  /** Realm JSON files to import (default: peers/keycloak/*.json). */
  realmFiles?: string[];
}

/**
 * The Keycloak of this test run (realms of peers/keycloak/): started by the first test file that asks, reused by
 * the others, stopped by the run's global teardown (shared-peers.ts). Its `stop()` is a no-op for a shared one.
 * Outside a run with the global setup, or with other realm files, the file gets a Keycloak of its own.
 * The first start on a machine prepares the cache (minutes).
 */
export async function startKeycloak(options: StartKeycloakOptions = {}): Promise<Keycloak> {
  const shareable = options.realmFiles === undefined && peersDir() !== undefined;
  const shared = shareable ? readPeer('keycloak') : undefined;
  if (shared && (await ready(shared.info.managementUrl!))) {
    return keycloakAt(shared.info.baseUrl!, shared.info.managementUrl!, KEYCLOAK_REALM, async () => undefined);
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (options.realmFiles) env.KEYCLOAK_REALM_FILES = options.realmFiles.map((f) => path.resolve(f)).join(':');
  // A shared Keycloak lives in the run's peer directory (removed at the end of the run); others in a temp dir of their own.
  const dir = shareable ? { dir: path.join(peersDir()!, 'keycloak'), cleanup: () => undefined } : tempDir('lakegate-keycloak-');
  const serverDir = path.join(dir.dir, 'server');
  try {
    await keycloakSh(env, 'dist');
    const held = shareable ? { while: peersDir()! } : {};
    const httpPort = await freePort(held);
    const mgmtPort = await freePort(held);
    const baseUrl = await keycloakSh(env, 'start', serverDir, String(httpPort), String(mgmtPort));
    const managementUrl = `http://127.0.0.1:${mgmtPort}`;
    if (shareable) {
      recordPeer('keycloak', { stop: { script: 'keycloak.sh', args: ['stop', serverDir] }, info: { baseUrl, managementUrl } });
      return keycloakAt(baseUrl, managementUrl, KEYCLOAK_REALM, async () => undefined);
    }
    return keycloakAt(baseUrl, managementUrl, KEYCLOAK_REALM, async () => {
      await keycloakSh(env, 'stop', serverDir).catch(() => undefined);
      dir.cleanup();
    });
  } catch (error) {
    await keycloakSh(env, 'stop', serverDir).catch(() => undefined);
    dir.cleanup();
    throw error;
  }
}

async function ready(managementUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${managementUrl}/health/ready`, { signal: AbortSignal.timeout(5000) })).ok;
  } catch {
    return false;
  }
}

/**
 * LAKEGATE_TRUSTED_ISSUERS for a Lakegate that trusts this realm: tokens for audience `lakegate`, the user is
 * `preferred_username`, the groups are `groups`.
 */
export function trustedIssuers(kc: Pick<Keycloak, 'issuer'>): string {
  return JSON.stringify([{ issuer: kc.issuer, audience: CATALOG_AUDIENCE, 'subject-claim': 'preferred_username', 'groups-claim': 'groups' }]);
}

/** A Keycloak and a Lakegate server process that trusts it as an issuer. */
export interface Federation {
  kc: Keycloak;
  server: ServerProcess;
  /** Stops the server, then Keycloak. */
  stop(): Promise<void>;
}

/** Starts Keycloak, then a Lakegate server that trusts it ({@link trustedIssuers}); `env` adds server settings. */
export async function startFederation(env: Record<string, string> = {}): Promise<Federation> {
  const kc = await startKeycloak();
  try {
    const server = await startServer({ env: { LAKEGATE_TRUSTED_ISSUERS: trustedIssuers(kc), ...env } });
    return {
      kc,
      server,
      async stop() {
        try {
          await server.stop();
        } finally {
          await kc.stop();
        }
      },
    };
  } catch (error) {
    await kc.stop();
    throw error;
  }
}

/** Token helpers for a Keycloak realm that is already running. */
export function keycloakAt(baseUrl: string, managementUrl: string, realm: string, stop: () => Promise<void>): Keycloak {
  const issuer = `${baseUrl}/realms/${realm}`;
  const tokenEndpoint = `${issuer}/protocol/openid-connect/token`;

  const token = async (form: Record<string, string>): Promise<TokenResponse> => {
    const response = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form),
    });
    const text = await response.text();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { error: 'non_json_response', error_description: text.slice(0, 500) };
    }
    if (response.status !== 200) throw new TokenError(response.status, body);
    return body as TokenResponse;
  };

  return {
    baseUrl,
    realm,
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    tokenEndpoint,
    jwksUri: `${issuer}/protocol/openid-connect/certs`,
    managementUrl,
    token,
    userToken: async (user, password, clientId = KEYCLOAK_CLIENTS.cli.clientId, scope = `openid ${CATALOG_SCOPE}`) =>
      (await token({ grant_type: 'password', client_id: clientId, username: user, password, scope })).access_token,
    clientToken: async (clientId, secret, scope = CATALOG_SCOPE) => {
      const form: Record<string, string> = { grant_type: 'client_credentials', client_id: clientId, client_secret: secret };
      if (scope !== null) form.scope = scope;
      return (await token(form)).access_token;
    },
    exchange: async (clientId, secret, subjectToken, options = {}) => {
      const form: Record<string, string> = {
        grant_type: TOKEN_EXCHANGE_GRANT,
        client_id: clientId,
        client_secret: secret,
        subject_token: subjectToken,
        subject_token_type: options.subjectTokenType ?? ACCESS_TOKEN_TYPE,
      };
      const audience = options.audience === undefined ? CATALOG_AUDIENCE : options.audience;
      if (audience !== null) form.audience = audience;
      if (options.scope !== undefined) form.scope = options.scope;
      return (await token(form)).access_token;
    },
    stop,
  };
}
