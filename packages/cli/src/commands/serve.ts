/** `lakegate serve`: start the catalog and print ready-to-paste client settings. */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  CONFIG_KEYS,
  ConfigError,
  type LakegateConfig,
  WorkerLink,
  buildLakegate,
  createLogger,
  loadConfig,
  resolveLogFormat,
  runPrimary,
} from '@lakegate/server';
import { unsupportedNodeWarning } from '../cli/node-version.js';

const HELP = `usage: lakegate serve [options]

  --port N          TCP port (default 8181)
  --workers N       server processes sharing the port (default: one per CPU core; 1: a single process)
  --host ADDR       interface (default 127.0.0.1)
  --data-dir DIR    SQLite file and default warehouse (default ./.lakegate)
  --database URL    postgres://… to use PostgreSQL instead of SQLite
  --config FILE     JSON config file (keys below)
  --log-level LVL   trace|debug|info|warn|error|silent
  --log-format F    auto (pretty on a terminal, JSON otherwise), json or pretty

Every key can also be set by environment variable:
${CONFIG_KEYS.map((k) => `  ${k.env.padEnd(40)} ${k.description} (default ${JSON.stringify(k.default)})`).join('\n')}`;

export async function serve(argv: string[]): Promise<number | undefined> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      workers: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      database: { type: 'string' },
      config: { type: 'string' },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  let config;
  try {
    config = loadConfig({
      file: values.config,
      flags: {
        port: values.port,
        workers: values.workers,
        host: values.host,
        dataDir: values['data-dir'],
        database: values.database,
        logLevel: values['log-level'],
        logFormat: values['log-format'],
      },
    });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`lakegate: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const workers = config.workers || availableParallelism();
  if (cluster.isWorker) return serveWorker(config);
  const warning = unsupportedNodeWarning(process.version);
  if (warning) process.stderr.write(warning);
  if (workers > 1) return servePrimary(config, workers);
  return serveSingle(config);
}

/** Exit code of a worker that cannot serve at all (e.g. the port is taken): the primary stops instead of replacing it. */
const WORKER_CANNOT_SERVE = 78;

async function serveSingle(config: LakegateConfig): Promise<undefined> {
  const lakegate = await buildLakegate({ config });
  await lakegate.app.listen({ host: config.host, port: config.port });
  const url = urlOf(config, lakegate.app.server.address());
  lakegate.setPublicUrl(url);
  process.stderr.write(bannerOf(config, url, lakegate.adminCredentialsFile !== undefined, lakegate.consolePath, 1));
  onSignals((signal) => shutdown(lakegate, config, signal));
  return undefined;
}

/**
 * The primary of --workers N: prepares the database once (migrations, the admin principal, the default
 * warehouse, the secret key file: things N processes must not race to create), then forks the workers.
 */
async function servePrimary(config: LakegateConfig, workers: number): Promise<undefined> {
  const logger = createLogger(config.logLevel, undefined, resolveLogFormat(config.logFormat));
  // Untraced: the primary serves no request (each worker traces and exports its own).
  const prepared = await buildLakegate({ config, logger, tracing: undefined });
  const created = prepared.adminCredentialsFile !== undefined;
  const consolePath = prepared.consolePath;
  await prepared.close();
  runPrimary({
    workers,
    logger,
    graceMs: (config.shutdownDrainSeconds + config.shutdownGraceSeconds) * 1000,
    fatalExitCode: WORKER_CANNOT_SERVE,
    onListening: (url) => process.stderr.write(bannerOf(config, url, created, consolePath, workers)),
  });
  return undefined;
}

async function serveWorker(config: LakegateConfig): Promise<undefined> {
  const link = new WorkerLink();
  const lakegate = await buildLakegate({ config, worker: link });
  try {
    await lakegate.app.listen({ host: config.host, port: config.port });
  } catch (err) {
    lakegate.logger.fatal({ err }, 'cannot listen');
    await lakegate.close().catch(() => undefined);
    process.exit(WORKER_CANNOT_SERVE);
  }
  const url = urlOf(config, lakegate.app.server.address());
  lakegate.setPublicUrl(url);
  link.listening(url);
  onSignals((signal) => shutdown(lakegate, config, signal));
  // The primary is gone (killed, or stopped without us): stop too rather than serve alone.
  process.on('disconnect', () => shutdown(lakegate, config, 'disconnect'));
  return undefined;
}

function urlOf(config: LakegateConfig, address: ReturnType<import('node:net').Server['address']>): string {
  const port = typeof address === 'object' && address ? address.port : config.port;
  return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
}

function bannerOf(config: LakegateConfig, url: string, created: boolean, consolePath: string | undefined, workers: number): string {
  const database = config.database ? 'PostgreSQL' : `SQLite (${config.dataDir})`;
  return banner(
    url,
    config.defaultWarehouse,
    workers > 1 ? `${database}, ${workers} worker processes` : database,
    config.auth === 'required',
    path.join(config.dataDir, 'admin-credentials.json'),
    created,
    consolePath,
  );
}

function onSignals(handler: (signal: string) => void): void {
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}

let closing = false;
function shutdown(lakegate: Awaited<ReturnType<typeof buildLakegate>>, config: LakegateConfig, signal: string): void {
  if (closing) return;
  closing = true;
  lakegate.logger.info({ signal }, 'shutting down');
  const drainMs = config.shutdownDrainSeconds * 1000;
  const force = setTimeout(() => process.exit(1), drainMs + config.shutdownGraceSeconds * 1000);
  force.unref();
  // Drain first (docs/deployment.md): a load balancer sees /readyz 503 and moves away while requests are still
  // answered; then the listener closes, in-flight requests finish, and the process exits.
  lakegate.drain();
  new Promise((resolve) => setTimeout(resolve, drainMs))
    .then(() => lakegate.close())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
}

function banner(
  url: string,
  warehouse: string,
  database: string,
  auth: boolean,
  credentialsFile: string,
  created: boolean,
  consolePath: string | undefined,
): string {
  const credential = auth ? ', credential="<client_id>:<client_secret>"' : '';
  const sparkCredential = auth
    ? `\n  --conf spark.sql.catalog.lakegate.credential=<client_id>:<client_secret>\n  --conf spark.sql.catalog.lakegate.oauth2-server-uri=${url}/v1/oauth/tokens`
    : '';
  const trinoCredential = auth
    ? `\n  iceberg.rest-catalog.security=OAUTH2\n  iceberg.rest-catalog.oauth2.credential=<client_id>:<client_secret>\n  iceberg.rest-catalog.oauth2.server-uri=${url}/v1/oauth/tokens`
    : '';
  const creds = auth
    ? `Credentials: the admin service principal's client id and secret are in ${credentialsFile}${created ? ' (created now, mode 0600)' : ''}.\n`
    : 'Authentication is DISABLED (LAKEGATE_AUTH=disabled): anyone who can reach this port can change the catalog.\n';
  const consoleLine = consolePath
    ? `Web console: ${url}${consolePath}  (sign in with a client id and secret, or a configured OIDC issuer)\n`
    : 'Web console: not built (run npm run build); /ui answers 404.\n';
  return `
Lakegate catalog is listening at ${url}  (database: ${database})
${consoleLine}${creds}
PyIceberg:
  from pyiceberg.catalog import load_catalog
  catalog = load_catalog("lakegate", type="rest", uri="${url}", warehouse="${warehouse}"${credential})

Spark:
  --conf spark.sql.catalog.lakegate=org.apache.iceberg.spark.SparkCatalog
  --conf spark.sql.catalog.lakegate.type=rest
  --conf spark.sql.catalog.lakegate.uri=${url}
  --conf spark.sql.catalog.lakegate.warehouse=${warehouse}${sparkCredential}

Trino (etc/catalog/lakegate.properties; for a warehouse on S3, whose credentials Lakegate vends):
  connector.name=iceberg
  iceberg.catalog.type=rest
  iceberg.rest-catalog.uri=${url}
  iceberg.rest-catalog.warehouse=${warehouse}${trinoCredential}
  iceberg.rest-catalog.vended-credentials-enabled=true
  fs.native-s3.enabled=true

`;
}
