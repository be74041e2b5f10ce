/**
 * One typed configuration tree: defaults ← config file (JSON) ← environment
 * (LAKEGATE_*) ← command-line flags. Every key is listed in CONFIG_KEYS with
 * its environment variable and a description; `lakegate serve --help` prints
 * that list, and the README's reference table follows it (a row per key).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_KEYS, type KeyInfo, MIN_SWEEP_INTERVAL_MS, MAX_SWEEP_INTERVAL_MS } from './keys.js';

export { CONFIG_KEYS, MIN_SWEEP_INTERVAL_MS, MAX_SWEEP_INTERVAL_MS } from './keys.js';

export interface LakegateConfig {
  host: string;
  port: number;
  /** Server processes sharing the port (0: one per CPU core). */
  workers: number;
  dataDir: string;
  /** postgres://… for PostgreSQL; empty for the embedded SQLite file in dataDir. */
  database: string;
  defaultWarehouse: string;
  /** Storage root of the default warehouse; empty means <dataDir>/warehouse. */
  warehouseRoot: string;
  /** Comma-separated extra storage roots the default warehouse's tables may use besides warehouseRoot. */
  extraLocationRoots: string;
  /** Comma-separated addresses or CIDRs of load balancers whose X-Forwarded-For names the client (empty: none). */
  trustedProxies: string;
  /** base64 of 32 bytes: encrypts stored secrets; empty means a key file in dataDir (single node only). */
  secretKey: string;
  vendedCredentialLifetimeSeconds: number;
  credentialCacheMaxSeconds: number;
  storageRefreshTokenTtlSeconds: number;
  reportedCredentialLifetimeSeconds: number;
  /** Server-side scan planning: data manifests answered in the first call; per plan task; plan lifetime. */
  planningInlineManifests: number;
  planningManifestsPerTask: number;
  planningManifestCacheEntries: number;
  planningTtlSeconds: number;
  /** Async scan planning above this many data manifests (0: never, the default, for PyIceberg 0.12). */
  planningAsyncManifests: number;
  planningAnswerCacheBytes: number;
  /** required: every catalog request is authenticated; disabled: anonymous access (development only). */
  auth: string;
  /** The URL clients reach this server at; the token issuer's identifier. Empty: derived from host and port at start. */
  publicUrl: string;
  accessTokenTtlSeconds: number;
  /** JSON list of trusted external OIDC issuers (see auth/idp/external-issuers.ts). */
  trustedIssuers: string;
  sigv4SigningName: string;
  sigv4Region: string;
  refreshTokenTtlSeconds: number;
  logLevel: string;
  /** auto: pretty lines when standard output is a terminal, JSON otherwise; json; pretty. */
  logFormat: string;
  bodyLimitBytes: number;
  stagedTableTtlSeconds: number;
  commitRetries: number;
  idempotencyLifetimeSeconds: number;
  shutdownGraceSeconds: number;
  /** After SIGTERM, how long /readyz answers 503 (draining) while requests are still served, before the listener closes. */
  shutdownDrainSeconds: number;
  /** builtin: roles and grants in the catalog database; openfga: an OpenFGA store. */
  authorizer: string;
  /** How long an authorization decision may be reused on a replica that did not make the grant change. */
  authzCacheSeconds: number;
  openfgaUrl: string;
  openfgaStoreId: string;
  /** Bearer token (preshared key) for OpenFGA, if it requires one. */
  openfgaToken: string;
  /** How often each process runs its housekeeping sweep (drop retention, scheduled maintenance, expired records), in milliseconds. */
  sweepIntervalMs: number;
  /** How long a maintenance job holds its table's lease; a running job renews it every third of that. */
  maintenanceLeaseMs: number;
  /** How long audit events are kept (0: forever). */
  auditRetentionDays: number;
  /** How long tables' metrics reports are kept (0: forever). */
  metricsReportRetentionDays: number;
  /** How long change events are kept in the outbox (0: forever; docs/events.md). */
  eventRetentionDays: number;
  /** Consecutive failed deliveries after which a sink is marked failing (dead letter: still retried, nothing dropped). */
  eventSinkMaxFailures: number;
  /** Longest wait between delivery attempts to a failing sink (exponential backoff from 1 s up to this). */
  eventSinkMaxBackoffSeconds: number;
  /** Networks (CIDRs, comma-separated) every event sink may reach besides public addresses (docs/security.md). */
  eventSinkPrivateNetworks: string;
  /** How often the replica holding the delivery lease looks for new events (milliseconds). */
  eventDeliveryIntervalMs: number;
  /** How long the delivery lease lasts unless renewed: how long delivery stalls when its holder dies. */
  eventLeaseSeconds: number;
  /** worker: change events are delivered from a worker thread with its own database connection; main: on the request thread. */
  eventDeliveryThread: string;
  /** Checks per OpenFGA BatchCheck request (OpenFGA's --max-checks-per-batch-check). */
  openfgaBatchCheckSize: number;
  /** Directory of the built web console (index.html, assets/); empty: the @lakegate/console package's dist beside this server. */
  consoleDir: string;
  /** JSON list of OIDC sign-in providers for the console (auth/sessions/oidc-login.ts); each must be a trusted issuer. */
  consoleOidc: string;
  consoleSessionTtlSeconds: number;
  /** No token of a session (one authentication, renewed by refresh or self-exchange) lives past its start plus this. */
  maxSessionLifetimeSeconds: number;
  /** Issue a refresh token with client_credentials (RFC 6749 §4.4.3 says it should not). */
  clientCredentialsRefreshTokens: boolean;
  /** How long a replica reuses the stored state of principals, delegations and token sessions. */
  identityCacheSeconds: number;
}


export class ConfigError extends Error {
  override name = 'ConfigError';
}

function coerce(info: KeyInfo, value: unknown, source: string): string | number | boolean {
  if (info.kind === 'bool') {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
    throw new ConfigError(`${source}: ${info.key} must be true or false`);
  }
  if (info.kind === 'int') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 0) throw new ConfigError(`${source}: ${info.key} must be a non-negative integer`);
    return n;
  }
  if (typeof value !== 'string') throw new ConfigError(`${source}: ${info.key} must be a string`);
  return value;
}

export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv; flags?: Partial<Record<keyof LakegateConfig, unknown>> } = {}): LakegateConfig {
  const env = options.env ?? process.env;
  const out: Record<string, string | number | boolean> = {};
  for (const k of CONFIG_KEYS) out[k.key] = k.default;
  const file = options.file ?? env.LAKEGATE_CONFIG;
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError(`cannot read config file ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (typeof parsed !== 'object' || parsed === null) throw new ConfigError(`config file ${file} must hold a JSON object`);
    for (const [key, value] of Object.entries(parsed)) {
      const info = CONFIG_KEYS.find((k) => k.key === key);
      if (!info) throw new ConfigError(`config file ${file}: unknown key ${key}`);
      out[key] = coerce(info, value, file);
    }
  }
  for (const info of CONFIG_KEYS) {
    const v = env[info.env];
    if (v !== undefined && v !== '') out[info.key] = coerce(info, v, info.env);
  }
  for (const [key, value] of Object.entries(options.flags ?? {})) {
    if (value === undefined) continue;
    const info = CONFIG_KEYS.find((k) => k.key === key)!;
    out[key] = coerce(info, value, `--${key}`);
  }
  const config = out as unknown as LakegateConfig;
  if (config.port > 65535) throw new ConfigError('port must be at most 65535');
  if (config.workers > 256) throw new ConfigError('workers must be at most 256');
  if (config.sweepIntervalMs < MIN_SWEEP_INTERVAL_MS || config.sweepIntervalMs > MAX_SWEEP_INTERVAL_MS) {
    throw new ConfigError(`sweepIntervalMs must be from ${MIN_SWEEP_INTERVAL_MS} to ${MAX_SWEEP_INTERVAL_MS} (milliseconds)`);
  }
  if (config.maintenanceLeaseMs < 1000 || config.maintenanceLeaseMs > 86_400_000) throw new ConfigError('maintenanceLeaseMs must be from 1000 to 86400000 (milliseconds)');
  if (config.maxSessionLifetimeSeconds < 1) throw new ConfigError('maxSessionLifetimeSeconds must be at least 1');
  if (!['auto', 'json', 'pretty'].includes(config.logFormat)) throw new ConfigError('logFormat must be "auto", "json" or "pretty"');
  if (config.auth !== 'required' && config.auth !== 'disabled') throw new ConfigError('auth must be "required" or "disabled"');
  if (config.database && !/^postgres(ql)?:\/\//.test(config.database)) throw new ConfigError('database must be a postgres:// URL (or empty for SQLite)');
  if (config.eventDeliveryThread !== 'worker' && config.eventDeliveryThread !== 'main') throw new ConfigError('eventDeliveryThread must be "worker" or "main"');
  if (config.authorizer !== 'builtin' && config.authorizer !== 'openfga') throw new ConfigError('authorizer must be "builtin" or "openfga"');
  if (config.authorizer === 'openfga' && !/^https?:\/\//.test(config.openfgaUrl)) throw new ConfigError('authorizer openfga needs openfgaUrl (http://…)');
  config.dataDir = path.resolve(config.dataDir);
  if (!config.warehouseRoot) config.warehouseRoot = path.join(config.dataDir, 'warehouse');
  return config;
}
