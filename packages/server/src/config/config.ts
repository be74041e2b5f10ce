/**
 * One typed configuration tree: defaults ← config file (JSON) ← environment
 * (LAKEGATE_*) ← command-line flags. Every key is listed in CONFIG_KEYS with
 * its environment variable and a description; `lakegate serve --help` prints
 * that list, and the README's reference table follows it (a row per key).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

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

/** The sweep's bounds: more often than every second only burns database reads; rarer than hourly lets retention overrun by hours. */
export const MIN_SWEEP_INTERVAL_MS = 1000;
export const MAX_SWEEP_INTERVAL_MS = 3_600_000;

type Kind = 'string' | 'int' | 'bool';
interface KeyInfo {
  key: keyof LakegateConfig;
  env: string;
  kind: Kind;
  description: string;
  default: string | number | boolean;
}

export const CONFIG_KEYS: KeyInfo[] = [
  { key: 'host', env: 'LAKEGATE_HOST', kind: 'string', default: '127.0.0.1', description: 'Interface to listen on' },
  { key: 'port', env: 'LAKEGATE_PORT', kind: 'int', default: 8181, description: 'TCP port to listen on' },
  {
    key: 'workers',
    env: 'LAKEGATE_WORKERS',
    kind: 'int',
    default: 0,
    description: 'Server processes sharing the port and the database, each serving requests on its own core; they keep their caches and the sign-in limiter in step (0: one per CPU core; 1: a single process)',
  },
  { key: 'dataDir', env: 'LAKEGATE_DATA_DIR', kind: 'string', default: './.lakegate', description: 'Directory for the embedded SQLite database and the default warehouse' },
  { key: 'database', env: 'LAKEGATE_DATABASE', kind: 'string', default: '', description: 'postgres://user@host:port/db to use PostgreSQL; empty for SQLite in the data dir' },
  { key: 'defaultWarehouse', env: 'LAKEGATE_DEFAULT_WAREHOUSE', kind: 'string', default: 'default', description: 'Warehouse created on first start and served when a client names none' },
  { key: 'warehouseRoot', env: 'LAKEGATE_WAREHOUSE_ROOT', kind: 'string', default: '', description: 'Storage root of the default warehouse (default <data-dir>/warehouse)' },
  { key: 'trustedProxies', env: 'LAKEGATE_TRUSTED_PROXIES', kind: 'string', default: '', description: 'Comma-separated addresses or CIDRs of load balancers (e.g. 10.0.0.5,127.0.0.1/32) whose X-Forwarded-For names the client: sign-in rate limits then count the client, not the proxy (docs/deployment.md); empty trusts none' },
  { key: 'extraLocationRoots', env: 'LAKEGATE_EXTRA_LOCATION_ROOTS', kind: 'string', default: '', description: 'Comma-separated extra storage roots (e.g. file:/data/legacy) where clients may place tables of the default warehouse' },
  { key: 'secretKey', env: 'LAKEGATE_SECRET_KEY', kind: 'string', default: '', description: 'base64 of 32 random bytes that encrypts stored secrets and signing keys; every replica needs the same one (empty: <data-dir>/secret.key is created, single node only)' },
  { key: 'vendedCredentialLifetimeSeconds', env: 'LAKEGATE_VENDED_CREDENTIAL_LIFETIME_SECONDS', kind: 'int', default: 3600, description: 'Requested lifetime of vended storage credentials (capped by the storage profile)' },
  { key: 'credentialCacheMaxSeconds', env: 'LAKEGATE_CREDENTIAL_CACHE_MAX_SECONDS', kind: 'int', default: 900, description: 'Longest reuse of a vended credential (never more than half its remaining life)' },
  { key: 'storageRefreshTokenTtlSeconds', env: 'LAKEGATE_STORAGE_REFRESH_TOKEN_TTL_SECONDS', kind: 'int', default: 7 * 24 * 3600, description: 'Lifetime of storage refresh tokens (how long a job can keep refreshing one credential)' },
  { key: 'planningInlineManifests', env: 'LAKEGATE_PLANNING_INLINE_MANIFESTS', kind: 'int', default: 16, description: 'A scan of at most this many data manifests is planned in the first call; larger scans answer plan tasks' },
  { key: 'planningManifestsPerTask', env: 'LAKEGATE_PLANNING_MANIFESTS_PER_TASK', kind: 'int', default: 16, description: 'Data manifests each plan task covers (bounds the memory and the size of one fetchScanTasks answer)' },
  { key: 'planningManifestCacheEntries', env: 'LAKEGATE_PLANNING_MANIFEST_CACHE_ENTRIES', kind: 'int', default: 50000, description: 'Decoded manifest entries kept between scan plans (about 2.2 KB each; 0 keeps none): manifests are immutable' },
  { key: 'planningAsyncManifests', env: 'LAKEGATE_PLANNING_ASYNC_MANIFESTS', kind: 'int', default: 0, description: 'A scan of more data manifests answers submitted and is planned in the background (one plan at a time per process, 64 waiting); 0 never (PyIceberg 0.12 raises on submitted); plans are kept in the catalog database, so any worker or replica answers them' },
  { key: 'planningAnswerCacheBytes', env: 'LAKEGATE_PLANNING_ANSWER_CACHE_BYTES', kind: 'int', default: 64 * 1024 * 1024, description: 'Bytes of whole plan answers and parsed table metadata kept for repeated plans of unchanged tables (an answer over a sixteenth of it is not kept; 0 keeps none)' },
  { key: 'planningTtlSeconds', env: 'LAKEGATE_PLANNING_TTL_SECONDS', kind: 'int', default: 3600, description: 'How long a scan plan id and its plan tasks stay valid' },
  { key: 'reportedCredentialLifetimeSeconds', env: 'LAKEGATE_REPORTED_CREDENTIAL_LIFETIME_SECONDS', kind: 'int', default: 0, description: 'If > 0, vended credentials are reported to expire at most this far ahead, so clients refresh early (0: report the real expiry)' },
  { key: 'auth', env: 'LAKEGATE_AUTH', kind: 'string', default: 'required', description: '"required": every catalog request is authenticated; "disabled": anonymous access for local development only' },
  { key: 'publicUrl', env: 'LAKEGATE_PUBLIC_URL', kind: 'string', default: '', description: 'URL clients use to reach the server; also the token issuer identifier (default http://HOST:PORT)' },
  { key: 'trustedIssuers', env: 'LAKEGATE_TRUSTED_ISSUERS', kind: 'string', default: '', description: 'JSON list of trusted OIDC issuers: [{"issuer","audience","subject-claim"?,"groups-claim"?,"clock-skew-seconds"?,"jwks-uri"?,"tenant"?}] (all users of an issuer belong to its tenant, default "default")' },
  { key: 'sigv4SigningName', env: 'LAKEGATE_SIGV4_SIGNING_NAME', kind: 'string', default: 'execute-api', description: 'Signing name (service) that SigV4-signed requests must use (clients: rest.signing-name)' },
  { key: 'sigv4Region', env: 'LAKEGATE_SIGV4_REGION', kind: 'string', default: 'us-east-1', description: 'Region that SigV4-signed requests must use (clients: rest.signing-region)' },
  { key: 'accessTokenTtlSeconds', env: 'LAKEGATE_ACCESS_TOKEN_TTL_SECONDS', kind: 'int', default: 3600, description: 'Lifetime of access tokens issued by the built-in issuer' },
  { key: 'refreshTokenTtlSeconds', env: 'LAKEGATE_REFRESH_TOKEN_TTL_SECONDS', kind: 'int', default: 24 * 3600, description: 'Lifetime of refresh tokens issued by the built-in issuer' },
  { key: 'logLevel', env: 'LAKEGATE_LOG_LEVEL', kind: 'string', default: 'info', description: 'pino log level (trace, debug, info, warn, error, silent)' },
  { key: 'logFormat', env: 'LAKEGATE_LOG_FORMAT', kind: 'string', default: 'auto', description: '"auto": coloured human-readable lines when standard output is a terminal, JSON lines otherwise; "json"; "pretty" (secrets are redacted in both)' },
  { key: 'bodyLimitBytes', env: 'LAKEGATE_BODY_LIMIT_BYTES', kind: 'int', default: 8 * 1024 * 1024, description: 'Largest accepted request body' },
  { key: 'stagedTableTtlSeconds', env: 'LAKEGATE_STAGED_TABLE_TTL_SECONDS', kind: 'int', default: 24 * 3600, description: 'How long a stage-created table stays resolvable before commit' },
  { key: 'commitRetries', env: 'LAKEGATE_COMMIT_RETRIES', kind: 'int', default: 10, description: 'Server-side re-applications of a commit that lost a race against another server process' },
  { key: 'idempotencyLifetimeSeconds', env: 'LAKEGATE_IDEMPOTENCY_LIFETIME_SECONDS', kind: 'int', default: 1800, description: 'How long Idempotency-Key outcomes are replayed' },
  { key: 'shutdownGraceSeconds', env: 'LAKEGATE_SHUTDOWN_GRACE_SECONDS', kind: 'int', default: 10, description: 'How long shutdown waits for in-flight requests' },
  { key: 'shutdownDrainSeconds', env: 'LAKEGATE_SHUTDOWN_DRAIN_SECONDS', kind: 'int', default: 0, description: 'After SIGTERM, how long /readyz answers 503 and responses say Connection: close while requests are still served, so a load balancer moves traffic away before the listener closes (docs/deployment.md)' },
  { key: 'authorizer', env: 'LAKEGATE_AUTHORIZER', kind: 'string', default: 'builtin', description: '"builtin": roles and grants in the catalog database; "openfga": an OpenFGA store (openfgaUrl, openfgaStoreId)' },
  { key: 'authzCacheSeconds', env: 'LAKEGATE_AUTHZ_CACHE_SECONDS', kind: 'int', default: 2, description: 'How long an authorization decision is reused; a grant change reaches every other replica within this time (the replica that makes it: at once)' },
  { key: 'openfgaUrl', env: 'LAKEGATE_OPENFGA_URL', kind: 'string', default: '', description: 'OpenFGA HTTP API URL (authorizer openfga), e.g. http://127.0.0.1:8080' },
  { key: 'openfgaStoreId', env: 'LAKEGATE_OPENFGA_STORE_ID', kind: 'string', default: '', description: 'OpenFGA store id (empty: a store named "lakegate" is found or created, with the Lakegate model)' },
  { key: 'openfgaToken', env: 'LAKEGATE_OPENFGA_TOKEN', kind: 'string', default: '', description: 'Preshared key for OpenFGA, if it requires one' },
  {
    key: 'sweepIntervalMs',
    env: 'LAKEGATE_SWEEP_INTERVAL_MS',
    kind: 'int',
    default: 60_000,
    description:
      'How often each process sweeps (1000 to 3600000 ms): ends dropped objects\' retention (deleting purged ones\' files), starts due scheduled maintenance, removes expired sessions, idempotency records, metrics reports and audit events; a purged table\'s files go at most this long after its retention ends',
  },
  {
    key: 'maintenanceLeaseMs',
    env: 'LAKEGATE_MAINTENANCE_LEASE_MS',
    kind: 'int',
    default: 1_800_000,
    description: 'How long a table maintenance job (expiry, orphans, compaction) holds its table\'s lease (1000 to 86400000 ms); the job renews it every third of that, and stops, deleting the files it wrote, if another replica took the lease meanwhile',
  },
  { key: 'auditRetentionDays', env: 'LAKEGATE_AUDIT_RETENTION_DAYS', kind: 'int', default: 90, description: 'How long audit events are kept (0: forever)' },
  { key: 'eventRetentionDays', env: 'LAKEGATE_EVENT_RETENTION_DAYS', kind: 'int', default: 7, description: 'How long change events stay in the outbox for the pull API and sinks that are behind (0: forever)' },
  { key: 'eventSinkMaxFailures', env: 'LAKEGATE_EVENT_SINK_MAX_FAILURES', kind: 'int', default: 8, description: 'Consecutive failed deliveries after which an event sink shows as failing (still retried; nothing is dropped)' },
  { key: 'eventSinkMaxBackoffSeconds', env: 'LAKEGATE_EVENT_SINK_MAX_BACKOFF_SECONDS', kind: 'int', default: 300, description: 'Longest wait between delivery attempts to a failing event sink (backoff doubles from 1 s)' },
  { key: 'eventLeaseSeconds', env: 'LAKEGATE_EVENT_LEASE_SECONDS', kind: 'int', default: 15, description: 'Lifetime of the event delivery lease one replica holds (renewed every round); a replica that dies stops delivery for at most this long' },
  {
    key: 'eventSinkPrivateNetworks',
    env: 'LAKEGATE_EVENT_SINK_PRIVATE_NETWORKS',
    kind: 'string',
    default: '',
    description:
      'Non-public networks (comma-separated CIDRs, e.g. "10.20.0.0/16,fd00:1::/64") that event sinks of warehouse managers and tenant administrators may reach; without one they reach public addresses only (platform administrators choose any destination)',
  },
  { key: 'eventDeliveryIntervalMs', env: 'LAKEGATE_EVENT_DELIVERY_INTERVAL_MS', kind: 'int', default: 200, description: 'How often the replica holding the delivery lease looks for new change events' },
  {
    key: 'eventDeliveryThread',
    env: 'LAKEGATE_EVENT_DELIVERY_THREAD',
    kind: 'string',
    default: 'worker',
    description: '"worker": change events are delivered from a worker thread with its own database connection, off the requests\' event loop; "main": on it (always the case when sink resolvers or a clock are injected by an embedding program)',
  },
  { key: 'metricsReportRetentionDays', env: 'LAKEGATE_METRICS_REPORT_RETENTION_DAYS', kind: 'int', default: 30, description: 'How long the metrics reports engines send for tables (reportMetrics) are kept (0: forever)' },
  { key: 'openfgaBatchCheckSize', env: 'LAKEGATE_OPENFGA_BATCH_CHECK_SIZE', kind: 'int', default: 50, description: 'Checks per OpenFGA BatchCheck request: at most the server\'s --max-checks-per-batch-check (OpenFGA\'s default: 50); larger batches are split and sent a few at a time' },
  { key: 'consoleDir', env: 'LAKEGATE_CONSOLE_DIR', kind: 'string', default: '', description: 'Directory of the built web console served at /ui (default: packages/console/dist beside the server; the server starts without it and says so)' },
  { key: 'consoleOidc', env: 'LAKEGATE_CONSOLE_OIDC', kind: 'string', default: '', description: 'JSON list of console sign-in providers (Authorization Code + PKCE): [{"issuer","client-id","client-secret"?,"scope"?,"label"?}]; each issuer must be in trustedIssuers; redirect URI <publicUrl>/ui/auth/callback' },
  { key: 'consoleSessionTtlSeconds', env: 'LAKEGATE_CONSOLE_SESSION_TTL_SECONDS', kind: 'int', default: 8 * 3600, description: 'Lifetime of a web console session (IdP groups are those at sign-in)' },
  {
    key: 'maxSessionLifetimeSeconds',
    env: 'LAKEGATE_MAX_SESSION_LIFETIME_SECONDS',
    kind: 'int',
    default: 12 * 3600,
    description:
      'Longest life of a session of the built-in issuer: its tokens, however renewed (refresh token, self-exchange), end this long after the authentication that started it; then the client authenticates again with its credential (Iceberg Java and the SDK do so by themselves)',
  },
  {
    key: 'clientCredentialsRefreshTokens',
    env: 'LAKEGATE_CLIENT_CREDENTIALS_REFRESH_TOKENS',
    kind: 'bool',
    default: false,
    description: 'Issue a (rotating, single-use) refresh token with client_credentials; off as RFC 6749 §4.4.3 advises, since the client can authenticate again',
  },
  {
    key: 'identityCacheSeconds',
    env: 'LAKEGATE_IDENTITY_CACHE_SECONDS',
    kind: 'int',
    default: 2,
    description:
      'How long a replica reuses what it read of principals, delegation policies and token revocations; disabling a principal, revoking a token or withdrawing a delegation reaches every other replica within this time (the replica that makes it: at once)',
  },
];

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
