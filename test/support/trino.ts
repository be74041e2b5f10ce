/**
 * A real Trino 476 (single node, Iceberg connector, OPA access control and file group provider; scripts/peers/trino.sh
 * fetches, prunes and caches it) on a free loopback port. Queries go through Trino's HTTP statement protocol (POST
 * /v1/statement, then follow `nextUri`), the user named by `X-Trino-User` (the server has no authentication: loopback
 * only).
 *
 * One server per test run (one Vitest process: a lane of `npm test`), like Keycloak (shared-peers.ts): the first file
 * starts it and records it in the run's peer directory, later files reuse it, the run's global teardown stops it.
 * What used to be static config of a start is set per file instead, the files of a run coming one at a time:
 *  - catalogs: dynamic catalog management; a file adds its own (addCatalog: CREATE CATALOG, pointing at its own
 *    Lakegate server) and release() drops them;
 *  - access control: Trino's OPA plugin asks a forwarder (peers/trino/opa-forwarder.mjs) that sends each decision to
 *    the endpoints a file names (useOpa: Lakegate's own, key and all) or, when none is named, answers like Trino's
 *    default allow-all (everything allowed, no filter, no mask) for files that test Trino without access control;
 *  - groups: the file group provider re-reads its file every second; setGroups writes it and waits until Trino
 *    reports those groups (current_groups()).
 * Outside a run with the global setup a file gets a server of its own, configured the same way, stopped by release().
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { peerScript } from './peers.js';
import { REPO_ROOT } from './server-process.js';
import { peersDir, readPeer, recordPeer } from './shared-peers.js';
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
  /** Seconds `trino.sh start` took until /v1/info said the server had started (0 when the run's server was reused). */
  startSeconds: number;
  /** Whether this file reused the server an earlier file of the run started. */
  reused: boolean;
  query(sql: string, session: TrinoSession): Promise<QueryResult>;
  /** A user's view: `as('alice', 'lake_user').run(sql)` → rows. */
  as(user: string, catalog: string, schema?: string): { run(sql: string): Promise<unknown[][]> };
  /** Adds a catalog (CREATE CATALOG); release() drops it. */
  addCatalog(catalog: TrinoCatalog): Promise<void>;
  /** Sends the OPA plugin's decisions to `url`/<allow|batch|row-filters|column-mask|batch-column-masks>`query`; undefined: allow-all. */
  useOpa(endpoints?: { url: string; query?: string }): void;
  /** The OPA URIs Trino was started with (the forwarder's). */
  opaUris: Record<string, string>;
  /** Trino's file group provider's groups (group → users); resolves once Trino reports them for each user named. */
  setGroups(groups: Record<string, string[]>): Promise<void>;
  /** Trino's own server log so far. */
  log(): string;
  /** The JVM heap now (GET /v1/status), to check the small heap is enough. */
  heap(): Promise<{ usedMB: number; maxMB: number }>;
  /** Drops the file's catalogs, groups and OPA target; stops a server of the file's own. */
  release(): Promise<void>;
}

async function trinoSh(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const result = await runAsync('bash', [peerScript('trino.sh'), ...args], { env });
  if (result.status !== 0) throw new Error(`trino.sh ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1)!.trim();
}

/** Fetches, verifies and prunes the cached Trino server and its OPA and group provider plugins (minutes on a cold cache); resolves with its seconds. */
export async function ensureTrinoDist(): Promise<number> {
  const started = Date.now();
  for (const what of ['dist', 'opa', 'groups']) await trinoSh(process.env, what);
  return (Date.now() - started) / 1000;
}

const OPA_NAMES = {
  allow: 'opa.policy.uri',
  batch: 'opa.policy.batched-uri',
  'row-filters': 'opa.policy.row-filters-uri',
  'column-mask': 'opa.policy.column-masking-uri',
  'batch-column-masks': 'opa.policy.batch-column-masking-uri',
};

/** The run's Trino (started when none answers), or one of the file's own outside a run with the global setup. */
export async function startTrino(options: { heap?: string } = {}): Promise<Trino> {
  const shareable = peersDir() !== undefined;
  const recorded = shareable ? readPeer('trino') : undefined;
  if (recorded && (await ready(recorded.info.url!))) return handle(recorded.info.url!, recorded.info.serverDir!, 0, true, async () => undefined);
  const dir = shareable ? { dir: mkdtempSync(path.join(peersDir()!, 'trino-')), cleanup: () => undefined } : tempDir('lakegate-trino-');
  const serverDir = path.join(dir.dir, 'server');
  const env: NodeJS.ProcessEnv = { ...process.env, TRINO_HEAP: options.heap ?? process.env.TRINO_HEAP ?? '1G' };
  // Trino's S3 client must not pick up storage keys from this environment: it has to use the vended ones.
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  mkdirSync(path.join(serverDir, 'etc'), { recursive: true });
  const stop = async () => {
    await trinoSh(env, 'stop', serverDir).catch(() => undefined);
    dir.cleanup();
  };
  try {
    const forwarder = await startForwarder(serverDir);
    // etc/access-control.properties names opa, etc/group-provider.properties exists: trino.sh adds both plugins.
    const uris = Object.entries(OPA_NAMES).map(([name, key]) => `${key}=${forwarder}/${name}`);
    writeFileSync(path.join(serverDir, 'etc', 'access-control.properties'), ['access-control.name=opa', ...uris, ''].join('\n'));
    writeFileSync(path.join(serverDir, 'etc', 'groups.txt'), '');
    writeFileSync(
      path.join(serverDir, 'etc', 'group-provider.properties'),
      `group-provider.name=file\nfile.group-file=${path.join(serverDir, 'etc', 'groups.txt')}\nfile.refresh-period=1s\n`,
    );
    const started = Date.now();
    const url = await trinoSh(env, 'start', serverDir, String(await freePort(shareable ? { while: peersDir()! } : {})));
    const startSeconds = (Date.now() - started) / 1000;
    if (!shareable) return handle(url, serverDir, startSeconds, false, stop);
    recordPeer('trino', { stop: { script: 'trino.sh', args: ['stop', serverDir] }, info: { url, serverDir } });
    return handle(url, serverDir, startSeconds, false, async () => undefined);
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Starts the OPA forwarder of a server directory (it exits with that server); resolves with its base URL. */
async function startForwarder(serverDir: string): Promise<string> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'peers', 'trino', 'opa-forwarder.mjs'), serverDir], { detached: true, stdio: 'ignore' });
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.unref();
  const portFile = path.join(serverDir, 'opa-forwarder.port');
  const deadline = Date.now() + 60_000;
  while (!existsSync(portFile)) {
    if (exited !== undefined) throw new Error(`the OPA forwarder exited (${exited}) before it listened`);
    if (Date.now() > deadline) throw new Error('the OPA forwarder did not listen in 60 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return `http://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
}

async function ready(url: string): Promise<boolean> {
  try {
    const info = (await (await fetch(`${url}/v1/info`, { signal: AbortSignal.timeout(5000) })).json()) as { starting?: boolean };
    return info.starting === false;
  } catch {
    return false;
  }
}

const quoted = (v: string) => `'${v.replaceAll("'", "''")}'`;

function handle(url: string, serverDir: string, startSeconds: number, reused: boolean, stop: () => Promise<void>): Trino {
  const query = (sql: string, session: TrinoSession) => runStatement(url, sql, session);
  const admin = (sql: string) => query(sql, { user: 'lakegate-tests' });
  const catalogs: string[] = [];
  const grouped = new Set<string>();
  const targetFile = path.join(serverDir, 'opa-target');
  const useOpa = (endpoints?: { url: string; query?: string }) => {
    if (!endpoints) return rmSync(targetFile, { force: true });
    writeFileSync(`${targetFile}.tmp`, JSON.stringify(endpoints), { mode: 0o600 });
    renameSync(`${targetFile}.tmp`, targetFile);
  };
  const groupsOf = async (user: string) => ((await query('SELECT current_groups()', { user })).rows[0]![0] as string[]).slice().sort();
  const setGroups = async (groups: Record<string, string[]>) => {
    const file = path.join(serverDir, 'etc', 'groups.txt');
    const text = Object.entries(groups).map(([group, users]) => `${group}:${users.join(',')}\n`);
    writeFileSync(`${file}.tmp`, text.join(''));
    renameSync(`${file}.tmp`, file);
    const want = new Map<string, string[]>([...grouped].map((u) => [u, []]));
    for (const [group, users] of Object.entries(groups)) for (const u of users) want.set(u, [...(want.get(u) ?? []), group].sort());
    // Asked with allow-all access control: a file switches to its own OPA endpoints after its set-up.
    const previous = existsSync(targetFile) ? readFileSync(targetFile, 'utf8') : undefined;
    useOpa(undefined);
    try {
      const deadline = Date.now() + 60_000;
      for (const [user, expected] of want) {
        while (JSON.stringify(await groupsOf(user)) !== JSON.stringify(expected)) {
          if (Date.now() > deadline) throw new Error(`Trino does not report the groups ${JSON.stringify(expected)} of ${user} after 60 s`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    } finally {
      if (previous !== undefined) useOpa(JSON.parse(previous) as { url: string; query?: string });
    }
    grouped.clear();
    for (const u of want.keys()) if (want.get(u)!.length > 0) grouped.add(u);
  };
  const forwarder = `http://127.0.0.1:${readFileSync(path.join(serverDir, 'opa-forwarder.port'), 'utf8').trim()}`;
  return {
    url,
    startSeconds,
    reused,
    query,
    as: (user, catalog, schema) => ({ run: async (sql) => (await query(sql, { user, catalog, schema })).rows }),
    async addCatalog(c) {
      const { 'connector.name': connector, ...properties } = c.properties;
      // The properties' secrets go in as values: CREATE CATALOG cannot read an environment the server did not start with.
      const resolved = Object.entries(properties).map(
        ([k, v]) => `"${k}" = ${quoted(v.replace(/\$\{ENV:([A-Z0-9_]+)\}/g, (_m, name: string) => c.secrets?.[name] ?? ''))}`,
      );
      useOpa(undefined);
      await admin(`DROP CATALOG IF EXISTS ${c.name}`);
      await admin(`CREATE CATALOG ${c.name} USING ${connector} WITH (${resolved.join(', ')})`);
      catalogs.push(c.name);
    },
    useOpa,
    opaUris: Object.fromEntries(Object.entries(OPA_NAMES).map(([name, key]) => [key, `${forwarder}/${name}`])),
    setGroups,
    log: () => readFileSync(path.join(serverDir, 'server.log'), 'utf8'),
    heap: async () => {
      const status = (await (await fetch(`${url}/v1/status`, { headers: { 'X-Trino-User': 'lakegate-tests' } })).json()) as {
        heapUsed: number;
        heapAvailable: number;
      };
      return { usedMB: Math.round(status.heapUsed / 2 ** 20), maxMB: Math.round(status.heapAvailable / 2 ** 20) };
    },
    async release() {
      useOpa(undefined);
      try {
        if (grouped.size > 0) await setGroups({});
        for (const name of catalogs.splice(0)) await admin(`DROP CATALOG IF EXISTS ${name}`);
      } finally {
        await stop();
      }
    },
  };
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
