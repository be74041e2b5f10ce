/** Configuration keys of serving, storage, credentials and planning (listed first by `lakegate serve --help`). */
import type { KeyInfo } from './types.js';

export const SERVING_KEYS: KeyInfo[] = [
  { key: 'host', env: 'LAKEGATE_HOST', kind: 'string', default: '127.0.0.1', description: 'Interface to listen on' },
  { key: 'port', env: 'LAKEGATE_PORT', kind: 'int', default: 8181, description: 'TCP port to listen on' },
  {
    key: 'workers',
    env: 'LAKEGATE_WORKERS',
    kind: 'int',
    default: 0,
    description:
      'Server processes sharing the port and the database, each serving requests on its own core; they keep their caches and the sign-in limiter in step (0: one per CPU core; 1: a single process)',
  },
  {
    key: 'dataDir',
    env: 'LAKEGATE_DATA_DIR',
    kind: 'string',
    default: './.lakegate',
    description: 'Directory for the embedded SQLite database and the default warehouse',
  },
  {
    key: 'database',
    env: 'LAKEGATE_DATABASE',
    kind: 'string',
    default: '',
    description: 'postgres://user@host:port/db to use PostgreSQL; empty for SQLite in the data dir',
  },
  {
    key: 'defaultWarehouse',
    env: 'LAKEGATE_DEFAULT_WAREHOUSE',
    kind: 'string',
    default: 'default',
    description: 'Warehouse created on first start and served when a client names none',
  },
  {
    key: 'warehouseRoot',
    env: 'LAKEGATE_WAREHOUSE_ROOT',
    kind: 'string',
    default: '',
    description: 'Storage root of the default warehouse (default <data-dir>/warehouse)',
  },
  {
    key: 'trustedProxies',
    env: 'LAKEGATE_TRUSTED_PROXIES',
    kind: 'string',
    default: '',
    description:
      'Comma-separated addresses or CIDRs of load balancers (e.g. 10.0.0.5,127.0.0.1/32) whose X-Forwarded-For names the client: sign-in rate limits then count the client, not the proxy (docs/deployment.md); empty trusts none',
  },
  {
    key: 'extraLocationRoots',
    env: 'LAKEGATE_EXTRA_LOCATION_ROOTS',
    kind: 'string',
    default: '',
    description: 'Comma-separated extra storage roots (e.g. file:/data/legacy) where clients may place tables of the default warehouse',
  },
  {
    key: 'secretKey',
    env: 'LAKEGATE_SECRET_KEY',
    kind: 'string',
    default: '',
    description:
      'base64 of 32 random bytes that encrypts stored secrets and signing keys; every replica needs the same one (empty: <data-dir>/secret.key is created, single node only)',
  },
  {
    key: 'vendedCredentialLifetimeSeconds',
    env: 'LAKEGATE_VENDED_CREDENTIAL_LIFETIME_SECONDS',
    kind: 'int',
    default: 3600,
    description: 'Requested lifetime of vended storage credentials (capped by the storage profile)',
  },
  {
    key: 'credentialCacheMaxSeconds',
    env: 'LAKEGATE_CREDENTIAL_CACHE_MAX_SECONDS',
    kind: 'int',
    default: 900,
    description: 'Longest reuse of a vended credential (never more than half its remaining life)',
  },
  {
    key: 'storageRefreshTokenTtlSeconds',
    env: 'LAKEGATE_STORAGE_REFRESH_TOKEN_TTL_SECONDS',
    kind: 'int',
    default: 7 * 24 * 3600,
    description: 'Lifetime of storage refresh tokens (how long a job can keep refreshing one credential)',
  },
  {
    key: 'planningInlineManifests',
    env: 'LAKEGATE_PLANNING_INLINE_MANIFESTS',
    kind: 'int',
    default: 16,
    description: 'A scan of at most this many data manifests is planned in the first call; larger scans answer plan tasks',
  },
  {
    key: 'planningManifestsPerTask',
    env: 'LAKEGATE_PLANNING_MANIFESTS_PER_TASK',
    kind: 'int',
    default: 16,
    description: 'Data manifests each plan task covers (bounds the memory and the size of one fetchScanTasks answer)',
  },
  {
    key: 'planningManifestCacheEntries',
    env: 'LAKEGATE_PLANNING_MANIFEST_CACHE_ENTRIES',
    kind: 'int',
    default: 50000,
    description: 'Decoded manifest entries kept between scan plans (about 2.2 KB each; 0 keeps none): manifests are immutable',
  },
  {
    key: 'planningAsyncManifests',
    env: 'LAKEGATE_PLANNING_ASYNC_MANIFESTS',
    kind: 'int',
    default: 0,
    description:
      'A scan of more data manifests answers submitted and is planned in the background (one plan at a time per process, 64 waiting); 0 never (PyIceberg 0.12 raises on submitted); plans are kept in the catalog database, so any worker or replica answers them',
  },
  {
    key: 'planningAnswerCacheBytes',
    env: 'LAKEGATE_PLANNING_ANSWER_CACHE_BYTES',
    kind: 'int',
    default: 64 * 1024 * 1024,
    description:
      'Bytes of whole plan answers and parsed table metadata kept for repeated plans of unchanged tables (an answer over a sixteenth of it is not kept; 0 keeps none)',
  },
  {
    key: 'planningTtlSeconds',
    env: 'LAKEGATE_PLANNING_TTL_SECONDS',
    kind: 'int',
    default: 3600,
    description: 'How long a scan plan id and its plan tasks stay valid',
  },
  {
    key: 'reportedCredentialLifetimeSeconds',
    env: 'LAKEGATE_REPORTED_CREDENTIAL_LIFETIME_SECONDS',
    kind: 'int',
    default: 0,
    description: 'If > 0, vended credentials are reported to expire at most this far ahead, so clients refresh early (0: report the real expiry)',
  },
];
