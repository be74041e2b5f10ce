/**
 * A real Trino 476 (single node, Iceberg connector only) for a test file: the server is fetched,
 * pruned and cached by scripts/peers/trino.sh and runs on a free loopback port with the catalogs the
 * test asks for. Queries go through Trino's HTTP statement protocol (POST /v1/statement, then follow
 * `nextUri`), the user named by `X-Trino-User` (the server has no authentication: loopback only).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { peerScript } from './peers.js';
import { freePort, runAsync, tempDir } from './temp.js';

export const TRINO_VERSION = '476';

export interface TrinoCatalog {
  /** Catalog name (the file etc/catalog/<name>.properties). */
  name: string;
  /** Connector properties. Secrets go in `secrets` and are referenced here as ${ENV:NAME}. */
  properties: Record<string, string>;
  /** Environment variables the properties reference; passed to the server process, never written to disk. */
  secrets?: Record<string, string>;
}

/** Properties of an Iceberg catalog on a Lakegate REST catalog, with vended S3 credentials only. */
export function lakegateCatalog(options: {
  name: string;
  lakegateUrl: string;
  warehouse: string;
  /** The engine principal's "client_id:client_secret". */
  credential: string;
  s3Endpoint: string;
  /** USER: Trino's per-user sessions (an unsigned JWT for each Trino user, exchanged with the engine token as actor). */
  session?: 'NONE' | 'USER';
}): TrinoCatalog {
  const secret = `LAKEGATE_TRINO_${options.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_CREDENTIAL`;
  return {
    name: options.name,
    properties: {
      'connector.name': 'iceberg',
      'iceberg.catalog.type': 'rest',
      'iceberg.rest-catalog.uri': options.lakegateUrl,
      'iceberg.rest-catalog.warehouse': options.warehouse,
      'iceberg.rest-catalog.security': 'OAUTH2',
      'iceberg.rest-catalog.oauth2.credential': `\${ENV:${secret}}`,
      'iceberg.rest-catalog.oauth2.server-uri': `${options.lakegateUrl}/v1/oauth/tokens`,
      'iceberg.rest-catalog.vended-credentials-enabled': 'true',
      'iceberg.rest-catalog.session': options.session ?? 'NONE',
      // Native S3 file system with no keys of its own: it gets the vended ones from each table's config.
      'fs.native-s3.enabled': 'true',
      's3.endpoint': options.s3Endpoint,
      's3.path-style-access': 'true',
      's3.region': 'us-east-1',
    },
    secrets: { [secret]: options.credential },
  };
}

export interface QueryResult {
  columns: string[];
  rows: unknown[][];
  /** Trino's query id. */
  id: string;
}

/** A failed query, as Trino reports it (`error.message`, `errorName` like ICEBERG_CATALOG_ERROR, `errorType`). */
export class TrinoQueryError extends Error {
  readonly sql: string;
  readonly errorName: string;
  readonly errorType: string;
  /** Trino's error message as a client shows it. */
  readonly failure: string;
  /** The messages of the Java exception and its causes, outermost first (Trino's failureInfo). */
  readonly causes: string[];

  constructor(sql: string, errorName: string, errorType: string, failure: string, causes: string[]) {
    super(`${errorName} (${errorType}): ${failure}`);
    this.causes = causes;
    this.name = 'TrinoQueryError';
    this.sql = sql;
    this.errorName = errorName;
    this.errorType = errorType;
    this.failure = failure;
  }
}

export interface TrinoSession {
  user: string;
  /** X-Trino-Source (Trino's USER mode caches one catalog session per user and source). */
  source?: string;
  catalog?: string;
  schema?: string;
}

export interface Trino {
  url: string;
  /** Seconds `trino.sh start` took until /v1/info said the server had started. */
  startSeconds: number;
  query(sql: string, session: TrinoSession): Promise<QueryResult>;
  /** A user's view: `as('alice', 'lake_user').run(sql)` → rows. */
  as(user: string, catalog: string, schema?: string): { run(sql: string): Promise<unknown[][]> };
  /** Trino's own server log so far. */
  log(): string;
  /** The JVM heap now (GET /v1/status), to check the small heap is enough. */
  heap(): Promise<{ usedMB: number; maxMB: number }>;
  stop(): Promise<void>;
}

async function trinoSh(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const result = await runAsync('bash', [peerScript('trino.sh'), ...args], { env });
  if (result.status !== 0) throw new Error(`trino.sh ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1)!.trim();
}

/** Fetches, verifies and prunes the cached Trino server (minutes on a cold cache); resolves with its seconds. */
export async function ensureTrinoDist(): Promise<number> {
  const started = Date.now();
  await trinoSh(process.env, 'dist');
  return (Date.now() - started) / 1000;
}

/** Starts one Trino server with these catalogs; stop it in afterAll. */
export async function startTrino(
  catalogs: TrinoCatalog[],
  options: { heap?: string; accessControl?: Record<string, string>; groups?: Record<string, string[]> } = {},
): Promise<Trino> {
  const dir = tempDir('lakegate-trino-');
  const serverDir = path.join(dir.dir, 'server');
  const env: NodeJS.ProcessEnv = { ...process.env, TRINO_HEAP: options.heap ?? process.env.TRINO_HEAP ?? '1G' };
  // Trino's S3 client must not pick up storage keys from this environment: it has to use the vended ones.
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  mkdirSync(path.join(serverDir, 'etc', 'catalog'), { recursive: true });
  for (const c of catalogs) {
    const text = Object.entries(c.properties)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    writeFileSync(path.join(serverDir, 'etc', 'catalog', `${c.name}.properties`), `${text}\n`, { mode: 0o600 });
    Object.assign(env, c.secrets ?? {});
  }
  // etc/access-control.properties (e.g. access-control.name=opa: trino.sh then adds the cached OPA plugin).
  if (options.accessControl) {
    const text = Object.entries(options.accessControl)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    writeFileSync(path.join(serverDir, 'etc', 'access-control.properties'), `${text}\n`, { mode: 0o600 });
  }
  // Trino's file group provider (group → users): etc/group-provider.properties, which trino.sh sees to add its plugin.
  if (options.groups) {
    const file = path.join(serverDir, 'etc', 'groups.txt');
    writeFileSync(
      file,
      `${Object.entries(options.groups)
        .map(([group, users]) => `${group}:${users.join(',')}`)
        .join('\n')}\n`,
    );
    writeFileSync(path.join(serverDir, 'etc', 'group-provider.properties'), `group-provider.name=file\nfile.group-file=${file}\n`);
  }
  const stop = async () => {
    await trinoSh(env, 'stop', serverDir).catch(() => undefined);
    dir.cleanup();
  };
  try {
    const started = Date.now();
    const url = await trinoSh(env, 'start', serverDir, String(await freePort()));
    const startSeconds = (Date.now() - started) / 1000;
    const query = (sql: string, session: TrinoSession) => runStatement(url, sql, session);
    return {
      url,
      startSeconds,
      query,
      as: (user, catalog, schema) => ({ run: async (sql) => (await query(sql, { user, catalog, schema })).rows }),
      log: () => readFileSync(path.join(serverDir, 'server.log'), 'utf8'),
      heap: async () => {
        const status = (await (await fetch(`${url}/v1/status`, { headers: { 'X-Trino-User': 'lakegate-tests' } })).json()) as {
          heapUsed: number;
          heapAvailable: number;
        };
        return { usedMB: Math.round(status.heapUsed / 2 ** 20), maxMB: Math.round(status.heapAvailable / 2 ** 20) };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface StatementResponse {
  id: string;
  nextUri?: string;
  columns?: { name: string }[];
  data?: unknown[][];
  error?: { message: string; errorName: string; errorType: string; failureInfo?: FailureInfo };
}

interface FailureInfo {
  type?: string;
  message?: string;
  cause?: FailureInfo;
}

function causeChain(info: FailureInfo | undefined): string[] {
  const out: string[] = [];
  for (let f = info; f && out.length < 20; f = f.cause) out.push(`${f.type ?? '?'}: ${f.message ?? ''}`);
  return out;
}

/** Trino's client protocol: submit, then follow nextUri until the query is done, collecting rows. */
async function runStatement(url: string, sql: string, session: TrinoSession): Promise<QueryResult> {
  const headers: Record<string, string> = { 'X-Trino-User': session.user, 'X-Trino-Source': session.source ?? 'lakegate-tests' };
  if (session.catalog) headers['X-Trino-Catalog'] = session.catalog;
  if (session.schema) headers['X-Trino-Schema'] = session.schema;
  let res = await fetch(`${url}/v1/statement`, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: sql });
  const rows: unknown[][] = [];
  let columns: string[] = [];
  for (;;) {
    if (res.status !== 200) throw new Error(`Trino answered ${res.status} to ${sql}: ${await res.text()}`);
    const body = (await res.json()) as StatementResponse;
    if (body.columns) columns = body.columns.map((c) => c.name);
    if (body.data) rows.push(...body.data);
    if (body.error) throw new TrinoQueryError(sql, body.error.errorName, body.error.errorType, body.error.message, causeChain(body.error.failureInfo));
    if (!body.nextUri) return { columns, rows, id: body.id };
    res = await fetch(body.nextUri, { headers });
  }
}
