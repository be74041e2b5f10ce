/** `lakegate serve`: start the catalog and print ready-to-paste client settings. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIG_KEYS, ConfigError, buildLakegate, loadConfig } from '@lakegate/server';

const HELP = `usage: lakegate serve [options]

  --port N          TCP port (default 8181)
  --host ADDR       interface (default 127.0.0.1)
  --data-dir DIR    SQLite file and default warehouse (default ./.lakegate)
  --database URL    postgres://… to use PostgreSQL instead of SQLite
  --config FILE     JSON config file (keys below)
  --log-level LVL   trace|debug|info|warn|error|silent

Every key can also be set by environment variable:
${CONFIG_KEYS.map((k) => `  ${k.env.padEnd(40)} ${k.description} (default ${JSON.stringify(k.default)})`).join('\n')}`;

export async function serve(argv: string[]): Promise<number | undefined> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      database: { type: 'string' },
      config: { type: 'string' },
      'log-level': { type: 'string' },
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
      flags: { port: values.port, host: values.host, dataDir: values['data-dir'], database: values.database, logLevel: values['log-level'] },
    });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`lakegate: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const lakegate = await buildLakegate({ config });
  await lakegate.app.listen({ host: config.host, port: config.port });
  const address = lakegate.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  lakegate.setPublicUrl(url);
  process.stderr.write(banner(url, config.defaultWarehouse, config.database ? 'PostgreSQL' : `SQLite (${config.dataDir})`, config.auth === 'required', path.join(config.dataDir, 'admin-credentials.json'), lakegate.adminCredentialsFile !== undefined, lakegate.consolePath));

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    lakegate.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), config.shutdownGraceSeconds * 1000);
    force.unref();
    lakegate.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  return undefined;
}

function banner(url: string, warehouse: string, database: string, auth: boolean, credentialsFile: string, created: boolean, consolePath: string | undefined): string {
  const credential = auth ? ', credential="<client_id>:<client_secret>"' : '';
  const sparkCredential = auth ? `\n  --conf spark.sql.catalog.lakegate.credential=<client_id>:<client_secret>\n  --conf spark.sql.catalog.lakegate.oauth2-server-uri=${url}/v1/oauth/tokens` : '';
  const trinoCredential = auth
    ? `\n  iceberg.rest-catalog.security=OAUTH2\n  iceberg.rest-catalog.oauth2.credential=<client_id>:<client_secret>\n  iceberg.rest-catalog.oauth2.server-uri=${url}/v1/oauth/tokens`
    : '';
  const creds = auth
    ? `Credentials: the admin service principal's client id and secret are in ${credentialsFile}${created ? ' (created now, mode 0600)' : ''}.\n`
    : 'Authentication is DISABLED (LAKEGATE_AUTH=disabled): anyone who can reach this port can change the catalog.\n';
  const consoleLine = consolePath ? `Web console: ${url}${consolePath}  (sign in with a client id and secret, or a configured OIDC issuer)\n` : 'Web console: not built (run npm run build); /ui answers 404.\n';
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
