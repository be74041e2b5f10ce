/** Configuration keys of identity, authorization, limits, retention, events and the console. */
import type { KeyInfo } from './types.js';

export const ACCESS_KEYS: KeyInfo[] = [
  {
    key: 'auth',
    env: 'LAKEGATE_AUTH',
    kind: 'string',
    default: 'required',
    description: '"required": every catalog request is authenticated; "disabled": anonymous access for local development only',
  },
  {
    key: 'publicUrl',
    env: 'LAKEGATE_PUBLIC_URL',
    kind: 'string',
    default: '',
    description: 'URL clients use to reach the server; also the token issuer identifier (default http://HOST:PORT)',
  },
  {
    key: 'trustedIssuers',
    env: 'LAKEGATE_TRUSTED_ISSUERS',
    kind: 'string',
    default: '',
    description:
      'JSON list of trusted OIDC issuers: [{"issuer","audience","subject-claim"?,"groups-claim"?,"clock-skew-seconds"?,"jwks-uri"?,"tenant"?}] (all users of an issuer belong to its tenant, default "default")',
  },
  {
    key: 'sigv4SigningName',
    env: 'LAKEGATE_SIGV4_SIGNING_NAME',
    kind: 'string',
    default: 'execute-api',
    description: 'Signing name (service) that SigV4-signed requests must use (clients: rest.signing-name)',
  },
  {
    key: 'sigv4Region',
    env: 'LAKEGATE_SIGV4_REGION',
    kind: 'string',
    default: 'us-east-1',
    description: 'Region that SigV4-signed requests must use (clients: rest.signing-region)',
  },
  {
    key: 'accessTokenTtlSeconds',
    env: 'LAKEGATE_ACCESS_TOKEN_TTL_SECONDS',
    kind: 'int',
    default: 3600,
    description: 'Lifetime of access tokens issued by the built-in issuer',
  },
  {
    key: 'refreshTokenTtlSeconds',
    env: 'LAKEGATE_REFRESH_TOKEN_TTL_SECONDS',
    kind: 'int',
    default: 24 * 3600,
    description: 'Lifetime of refresh tokens issued by the built-in issuer',
  },
  { key: 'logLevel', env: 'LAKEGATE_LOG_LEVEL', kind: 'string', default: 'info', description: 'pino log level (trace, debug, info, warn, error, silent)' },
  {
    key: 'logFormat',
    env: 'LAKEGATE_LOG_FORMAT',
    kind: 'string',
    default: 'auto',
    description:
      '"auto": coloured human-readable lines when standard output is a terminal, JSON lines otherwise; "json"; "pretty" (secrets are redacted in both)',
  },
  { key: 'bodyLimitBytes', env: 'LAKEGATE_BODY_LIMIT_BYTES', kind: 'int', default: 8 * 1024 * 1024, description: 'Largest accepted request body' },
  {
    key: 'stagedTableTtlSeconds',
    env: 'LAKEGATE_STAGED_TABLE_TTL_SECONDS',
    kind: 'int',
    default: 24 * 3600,
    description: 'How long a stage-created table stays resolvable before commit',
  },
  {
    key: 'commitRetries',
    env: 'LAKEGATE_COMMIT_RETRIES',
    kind: 'int',
    default: 10,
    description: 'Server-side re-applications of a commit that lost a race against another server process',
  },
  {
    key: 'idempotencyLifetimeSeconds',
    env: 'LAKEGATE_IDEMPOTENCY_LIFETIME_SECONDS',
    kind: 'int',
    default: 1800,
    description: 'How long Idempotency-Key outcomes are replayed',
  },
  {
    key: 'shutdownGraceSeconds',
    env: 'LAKEGATE_SHUTDOWN_GRACE_SECONDS',
    kind: 'int',
    default: 10,
    description: 'How long shutdown waits for in-flight requests',
  },
  {
    key: 'shutdownDrainSeconds',
    env: 'LAKEGATE_SHUTDOWN_DRAIN_SECONDS',
    kind: 'int',
    default: 0,
    description:
      'After SIGTERM, how long /readyz answers 503 and responses say Connection: close while requests are still served, so a load balancer moves traffic away before the listener closes (docs/deployment.md)',
  },
  {
    key: 'authorizer',
    env: 'LAKEGATE_AUTHORIZER',
    kind: 'string',
    default: 'builtin',
    description: '"builtin": roles and grants in the catalog database; "openfga": an OpenFGA store (openfgaUrl, openfgaStoreId)',
  },
  {
    key: 'authzCacheSeconds',
    env: 'LAKEGATE_AUTHZ_CACHE_SECONDS',
    kind: 'int',
    default: 2,
    description:
      'How long an authorization decision is reused; a grant change reaches every other replica within this time (the replica that makes it: at once)',
  },
  {
    key: 'openfgaUrl',
    env: 'LAKEGATE_OPENFGA_URL',
    kind: 'string',
    default: '',
    description: 'OpenFGA HTTP API URL (authorizer openfga), e.g. http://127.0.0.1:8080',
  },
  {
    key: 'openfgaStoreId',
    env: 'LAKEGATE_OPENFGA_STORE_ID',
    kind: 'string',
    default: '',
    description: 'OpenFGA store id (empty: a store named "lakegate" is found or created, with the Lakegate model)',
  },
  { key: 'openfgaToken', env: 'LAKEGATE_OPENFGA_TOKEN', kind: 'string', default: '', description: 'Preshared key for OpenFGA, if it requires one' },
  {
    key: 'sweepIntervalMs',
    env: 'LAKEGATE_SWEEP_INTERVAL_MS',
    kind: 'int',
    default: 60_000,
    description:
      "How often each process sweeps (1000 to 3600000 ms): ends dropped objects' retention (deleting purged ones' files), starts due scheduled maintenance, removes expired sessions, idempotency records, metrics reports and audit events; a purged table's files go at most this long after its retention ends",
  },
  {
    key: 'maintenanceLeaseMs',
    env: 'LAKEGATE_MAINTENANCE_LEASE_MS',
    kind: 'int',
    default: 1_800_000,
    description:
      "How long a table maintenance job (expiry, orphans, compaction) holds its table's lease (1000 to 86400000 ms); the job renews it every third of that, and stops, deleting the files it wrote, if another replica took the lease meanwhile",
  },
  {
    key: 'lanceCommitFenceMs',
    env: 'LAKEGATE_LANCE_COMMIT_FENCE_MS',
    kind: 'int',
    default: 5_000,
    description:
      "How long a Lance table's optimize, once a commit of it lost a race, holds other commits of the table at most (0 to 60000 ms; 0: never), so its rebased commit lands; they wait, then run in order. Reaches every worker and replica (announced with this bound); a process also waits at most its own value for another's fence",
  },
  {
    key: 'manifestRewriteMemoryBytes',
    env: 'LAKEGATE_MANIFEST_REWRITE_MEMORY_BYTES',
    kind: 'int',
    default: 268_435_456,
    description:
      "The most bytes of manifest entries one manifest rewrite (rewrite-manifests) holds for one kind and partition spec (16 MiB to 16 GiB): the small manifests past it are kept for the job's next run, so a table with more small manifests than fit converges over runs",
  },
  {
    key: 'rewriteThreads',
    env: 'LAKEGATE_REWRITE_THREADS',
    kind: 'int',
    default: 1,
    description:
      'Worker threads (0 to 16) that rewrite Parquet files for compaction and policy-enforced scan files, at idle priority where the system allows, so a rewrite does not hold up requests; 0: on the request thread',
  },
  {
    key: 'policyFileEngine',
    env: 'LAKEGATE_POLICY_FILE_ENGINE',
    kind: 'string',
    default: 'parquet',
    description:
      'What writes policy-enforced scan files: parquet (the Parquet rewriter), or duckdb (the optional @duckdb/node-api package, for the requests it computes exactly as the Parquet rewriter does; every other request, and every request when the package is absent, goes to the Parquet rewriter; docs/authorization.md)',
  },
  {
    key: 'compactionExecutor',
    env: 'LAKEGATE_COMPACTION_EXECUTOR',
    kind: 'string',
    default: 'in-process',
    description:
      "Where compaction jobs (rewrite-data-files, rewrite-manifests) rewrite: in-process, or spark (Iceberg's rewrite_data_files / rewrite_manifests procedures in a spark-submit per job, or a Spark Connect session per job with sparkConnect, committing through the catalog with a credential minted for the job; the catalog keeps the lease, progress, audit and events; docs/maintenance.md)",
  },
  {
    key: 'sparkSubmit',
    env: 'LAKEGATE_SPARK_SUBMIT',
    kind: 'string',
    default: 'spark-submit',
    description: "The spark executor's spark-submit command (a path, or a name on PATH); its driver runs on this host (deploy mode client)",
  },
  {
    key: 'sparkMaster',
    env: 'LAKEGATE_SPARK_MASTER',
    kind: 'string',
    default: 'local[2]',
    description: "The spark executor's --master (local[N], spark://…, yarn, k8s://…)",
  },
  {
    key: 'sparkJars',
    env: 'LAKEGATE_SPARK_EXECUTOR_JARS',
    kind: 'string',
    default: '',
    description:
      "The spark executor's --jars, comma-separated: iceberg-spark-runtime for the Spark version, and iceberg-aws-bundle for S3 storage (empty: Spark's own classpath has them)",
  },
  {
    key: 'sparkSubmitArgs',
    env: 'LAKEGATE_SPARK_SUBMIT_ARGS',
    kind: 'string',
    default: '',
    description:
      "More spark-submit arguments for the spark executor, whitespace-separated, e.g. --conf spark.driver.memory=2g (never a credential: Spark's job reaches the catalog with one minted per job)",
  },
  {
    key: 'sparkConnect',
    env: 'LAKEGATE_SPARK_CONNECT',
    kind: 'string',
    default: '',
    description:
      "The spark executor's Spark Connect server, sc://host:port (Spark Connect's ;token=…, ;use_ssl=true parameters allowed), with Iceberg's Spark runtime and extensions: each job is a session of its own there, run by a short Python process (sparkConnectPython), instead of a spark-submit. It must reach this host's 127.0.0.1 (the job's private catalog listener): run it on this host. Empty: spark-submit",
  },
  {
    key: 'sparkConnectPython',
    env: 'LAKEGATE_SPARK_CONNECT_PYTHON',
    kind: 'string',
    default: 'python3',
    description:
      "With sparkConnect: the Python (a path, or a name on PATH) that has PySpark's Connect client (pyspark[connect] or pyspark-client), which runs each job's script",
  },
  { key: 'auditRetentionDays', env: 'LAKEGATE_AUDIT_RETENTION_DAYS', kind: 'int', default: 90, description: 'How long audit events are kept (0: forever)' },
  {
    key: 'eventRetentionDays',
    env: 'LAKEGATE_EVENT_RETENTION_DAYS',
    kind: 'int',
    default: 7,
    description: 'How long change events stay in the outbox for the pull API and sinks that are behind (0: forever)',
  },
  {
    key: 'eventSinkMaxFailures',
    env: 'LAKEGATE_EVENT_SINK_MAX_FAILURES',
    kind: 'int',
    default: 8,
    description: 'Consecutive failed deliveries after which an event sink shows as failing (still retried; nothing is dropped)',
  },
  {
    key: 'eventSinkMaxBackoffSeconds',
    env: 'LAKEGATE_EVENT_SINK_MAX_BACKOFF_SECONDS',
    kind: 'int',
    default: 300,
    description: 'Longest wait between delivery attempts to a failing event sink (backoff doubles from 1 s)',
  },
  {
    key: 'eventLeaseSeconds',
    env: 'LAKEGATE_EVENT_LEASE_SECONDS',
    kind: 'int',
    default: 15,
    description: 'Lifetime of the event delivery lease one replica holds (renewed every round); a replica that dies stops delivery for at most this long',
  },
  {
    key: 'lanceTagIntentRecoverySeconds',
    env: 'LAKEGATE_LANCE_TAG_INTENT_RECOVERY_SECONDS',
    kind: 'int',
    default: 120,
    description:
      'Age (1 to 86400 s) from which the event of a Lance tag write whose process died (or whose database failed) between the write and the event is recovered, at start and by the sweep; above the longest a tag write takes',
  },
  {
    key: 'eventSinkPrivateNetworks',
    env: 'LAKEGATE_EVENT_SINK_PRIVATE_NETWORKS',
    kind: 'string',
    default: '',
    description:
      'Non-public networks (comma-separated CIDRs, e.g. "10.20.0.0/16,fd00:1::/64") that event sinks of warehouse managers and tenant administrators may reach; without one they reach public addresses only (platform administrators choose any destination)',
  },
  {
    key: 'eventDeliveryIntervalMs',
    env: 'LAKEGATE_EVENT_DELIVERY_INTERVAL_MS',
    kind: 'int',
    default: 200,
    description: 'How often the replica holding the delivery lease looks for new change events',
  },
  {
    key: 'eventDeliveryThread',
    env: 'LAKEGATE_EVENT_DELIVERY_THREAD',
    kind: 'string',
    default: 'worker',
    description:
      '"worker": change events are delivered from a worker thread with its own database connection, off the requests\' event loop; "main": on it (always the case when sink resolvers or a clock are injected by an embedding program)',
  },
  {
    key: 'metricsReportRetentionDays',
    env: 'LAKEGATE_METRICS_REPORT_RETENTION_DAYS',
    kind: 'int',
    default: 30,
    description: 'How long the metrics reports engines send for tables (reportMetrics) are kept (0: forever)',
  },
  {
    key: 'openfgaBatchCheckSize',
    env: 'LAKEGATE_OPENFGA_BATCH_CHECK_SIZE',
    kind: 'int',
    default: 50,
    description:
      "Checks per OpenFGA BatchCheck request: at most the server's --max-checks-per-batch-check (OpenFGA's default: 50); larger batches are split and sent a few at a time",
  },
  {
    key: 'consoleDir',
    env: 'LAKEGATE_CONSOLE_DIR',
    kind: 'string',
    default: '',
    description:
      'Directory of the built web console served at /ui (default: packages/console/dist beside the server; the server starts without it and says so)',
  },
  {
    key: 'consoleOidc',
    env: 'LAKEGATE_CONSOLE_OIDC',
    kind: 'string',
    default: '',
    description:
      'JSON list of console sign-in providers (Authorization Code + PKCE): [{"issuer","client-id","client-secret"?,"scope"?,"label"?}]; each issuer must be in trustedIssuers; redirect URI <publicUrl>/ui/auth/callback',
  },
  {
    key: 'consoleSessionTtlSeconds',
    env: 'LAKEGATE_CONSOLE_SESSION_TTL_SECONDS',
    kind: 'int',
    default: 8 * 3600,
    description: 'Lifetime of a web console session (IdP groups are those at sign-in)',
  },
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
    description:
      'Issue a (rotating, single-use) refresh token with client_credentials; off as RFC 6749 §4.4.3 advises, since the client can authenticate again',
  },
  {
    key: 'identityCacheSeconds',
    env: 'LAKEGATE_IDENTITY_CACHE_SECONDS',
    kind: 'int',
    default: 2,
    description:
      'How long a replica reuses what it read of principals, delegation policies and token revocations; disabling a principal, revoking a token or withdrawing a delegation reaches every other replica within this time (the replica that makes it: at once)',
  },
  {
    key: 'keyCacheSeconds',
    env: 'LAKEGATE_KEY_CACHE_SECONDS',
    kind: 'int',
    default: 2,
    description:
      'How long a process reuses what it read of an API key or SigV4 access key (default 2, the bound identityCacheSeconds gives tokens and principals). A revoke is seen at once by every worker, and by every replica on PostgreSQL while its change channel is up; within this time otherwise. 0: read on every request, so a revoke is refused at once everywhere, even without the channel',
  },
];
