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
    description:
      'Decoded manifest entries kept between scan plans (0 keeps none): manifests are immutable; LAKEGATE_PLANNING_MANIFEST_CACHE_BYTES bounds their memory too',
  },
  {
    key: 'planningManifestCacheBytes',
    env: 'LAKEGATE_PLANNING_MANIFEST_CACHE_BYTES',
    kind: 'int',
    default: 128 * 1024 * 1024,
    description:
      'Estimated bytes of decoded manifests and manifest lists kept between scan plans (an entry with stats for 3 columns holds about 2.2 KB, with 50 columns about 20 KB; one manifest over a quarter of it is not kept)',
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
    key: 'planningAsyncTakeovers',
    env: 'LAKEGATE_PLANNING_ASYNC_TAKEOVERS',
    kind: 'int',
    default: 2,
    description:
      'How many times an async plan whose server stopped (its lease lapsed) is taken over and planned again by the replica its owner fetches it on; once more, it is answered failed (plan again)',
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
    key: 'planningPreparePolicyFiles',
    env: 'LAKEGATE_PLANNING_PREPARE_POLICY_FILES',
    kind: 'bool',
    default: true,
    description:
      "After a commit to a table with row-filter or column-mask policies, or a change of its policies, derive the current snapshot's policy-enforced files in the background (one table at a time per process, yielding to requests), and once ready at startup for every table with such policies (changes made while this process was down or by another replica), so a restricted reader's first plan finds them instead of deriving them inline; false: plans derive on demand",
  },
  {
    key: 'planningPreparePolicyCombinations',
    env: 'LAKEGATE_PLANNING_PREPARE_POLICY_COMBINATIONS',
    kind: 'int',
    default: 16,
    description:
      "With policy-enforced files prepared: besides each single role's policy version, at most this many versions of role combinations per table and preparation (readers holding several restricted roles: held together by one principal, user or group in the stored role assignments, or seen in this process's recent plans, as for roles of IdP groups); past it such readers' first plans derive on demand; 0: single roles only",
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
