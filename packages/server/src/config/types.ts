/** The configuration's shape (config.ts loads it) and a key's description (keys.ts lists them). */

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
  /** How many times a submitted plan whose process stopped is taken over by another; once more, it fails. */
  planningAsyncTakeovers: number;
  planningAnswerCacheBytes: number;
  planningPreparePolicyFiles: boolean;
  planningPreparePolicyCombinations: number;
  planningManifestCacheBytes: number;
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
  /** How long a Lance optimize that lost a commit race holds other commits of its table at most; 0: never. */
  lanceCommitFenceMs: number;
  manifestRewriteMemoryBytes: number;
  /** Worker threads that rewrite Parquet files (policy-enforced files, compaction); 0: on the request thread. */
  rewriteThreads: number;
  /** What writes policy-enforced files: parquet (the Parquet rewriter) or duckdb (policy-files/duckdb-rewriter.ts, falling back to it). */
  policyFileEngine: string;
  /** Where compaction (rewrite-data-files, rewrite-manifests) runs: in-process, or spark (spark-executor/). */
  compactionExecutor: string;
  /** The spark executor's spark-submit command, --master, --jars and more arguments (whitespace-separated). */
  sparkSubmit: string;
  sparkMaster: string;
  sparkJars: string;
  sparkSubmitArgs: string;
  /** The spark executor's Spark Connect URL (config/spark-connect.ts; empty: spark-submit), and the Python with PySpark's Connect client. */
  sparkConnect: string;
  sparkConnectPython: string;
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
  /** Age from which a Lance tag write's pending event is recovered from the dataset's state (catalog/lance/tag-recovery.ts). */
  lanceTagIntentRecoverySeconds: number;
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
  /** How long a process reuses a read API key or access key (0: off; revocations are announced to the others). */
  keyCacheSeconds: number;
}

export type Kind = 'string' | 'int' | 'bool';
export interface KeyInfo {
  key: keyof LakegateConfig;
  env: string;
  kind: Kind;
  description: string;
  default: string | number | boolean;
}
