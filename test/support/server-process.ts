/** Starts `lakegate serve` as a real child process (what interop peers talk to). */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { grantPrincipal, type Securable } from './access.js';
import { httpSender } from './iceberg-http.js';
import { tempDir } from './temp.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(REPO_ROOT, 'packages', 'cli', 'bin', 'lakegate.js');

export interface ServerProcess {
  url: string;
  /** The admin principal's "client_id:client_secret" (from <data-dir>/admin-credentials.json), as Iceberg clients take it. */
  credential: string;
  /** A fresh admin access token from the server's token endpoint (client_credentials). */
  token(): Promise<string>;
  dataDir: string;
  warehouseRoot: string;
  process: ChildProcess;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): string;
  /** What the server wrote to stderr alone so far (runtime warnings, the unsupported-Node warning). */
  errorOutput(): string;
  /**
   * Everything the server wrote, once its output has been quiet for 150 ms: the log is written
   * asynchronously, so a request's log line can trail its answer. Assertions on what was (or was not)
   * logged for requests read this, never output() right after the requests.
   */
  settledOutput(): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface ServerOptions {
  /** Run with LAKEGATE_AUTH=disabled (for tests about something else than identity). Default: authentication required. */
  anonymous?: boolean;
  dataDir?: string;
  database?: string;
  env?: Record<string, string>;
  port?: number;
  /** Worker processes (--workers); default 1, a single process, unless a test is about several. */
  workers?: number;
}

/** Generous: a start is a few seconds on a quiet machine, but CI shares two cores with other work. */
const START_TIMEOUT_MS = 120_000;

export async function startServer(options: ServerOptions = {}): Promise<ServerProcess> {
  const temp = options.dataDir ? undefined : tempDir('lakegate-server-');
  const dataDir = options.dataDir ?? temp!.dir;
  const args = [BIN, 'serve', '--port', String(options.port ?? 0), '--data-dir', dataDir];
  if (options.database) args.push('--database', options.database);
  args.push('--workers', String(options.workers ?? 1));
  const child = spawn(process.execPath, args, {
    env: { ...process.env, LAKEGATE_LOG_LEVEL: 'info', LAKEGATE_AUTH: options.anonymous ? 'disabled' : 'required', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
    err += d.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    // A server that is not listening in time is stopped, not left behind (at load average ~30, a two-worker server
    // once took over a minute to listen; its processes then outlived the test run). SIGTERM reaches its workers too.
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`server did not start in time:\n${out}`));
    }, START_TIMEOUT_MS);
    const check = () => {
      const m = /Lakegate catalog is listening at (http:\/\/[^\s"]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  const adminFile = path.join(dataDir, 'admin-credentials.json');
  const credential = existsSync(adminFile) ? (JSON.parse(readFileSync(adminFile, 'utf8')) as { credential: string }).credential : '';
  return {
    url,
    credential,
    token: () => clientToken(url, credential),
    dataDir,
    warehouseRoot: path.join(dataDir, 'warehouse'),
    process: child,
    output: () => out,
    errorOutput: () => err,
    settledOutput: () => settled(() => out),
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill(signal);
        await exited;
      }
      temp?.cleanup();
    },
  };
}

/** A service principal made through the management API: its client id, secret and "client_id:client_secret". */
export interface CreatedPrincipal {
  id: string;
  secret: string;
  credential: string;
}

/**
 * Creates a service principal as the server's admin, optionally allowed to act for some users or groups;
 * `'assert-identity': true` also accepts unsigned subject tokens naming a listed user (Trino's USER sessions).
 */
/** A user or group named with the issuer that vouches for it (delegation policies, role members). */
export interface IssuedName {
  issuer: string;
  name: string;
}

export async function createPrincipal(
  server: Pick<ServerProcess, 'url' | 'token'>,
  name: string,
  delegation?: { users?: ReadonlyArray<string | IssuedName>; groups?: readonly IssuedName[]; 'assert-identity'?: boolean },
): Promise<CreatedPrincipal> {
  const res = await fetch(`${server.url}/management/v1/principals`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await server.token()}` },
    body: JSON.stringify({ name, ...(delegation ? { delegation } : {}) }),
  });
  if (res.status !== 201) throw new Error(`creating principal ${name}: ${res.status} ${await res.text()}`);
  const created = (await res.json()) as { 'client-id': string; 'client-secret': string };
  return { id: created['client-id'], secret: created['client-secret'], credential: `${created['client-id']}:${created['client-secret']}` };
}

/** An access token for "client_id:client_secret" from a Lakegate token endpoint (client_credentials). */
export async function clientToken(url: string, credential: string): Promise<string> {
  const i = credential.indexOf(':');
  const res = await fetch(`${url}/v1/oauth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: credential.slice(0, i),
      client_secret: credential.slice(i + 1),
      scope: 'catalog',
    }),
  });
  if (res.status !== 200) throw new Error(`token request failed with ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Gives a principal the privileges on the securable (through a role of its own), as the server's admin. */
export async function grantTo(server: Pick<ServerProcess, 'url' | 'token'>, clientId: string, privileges: string[], securable: Securable): Promise<void> {
  await grantPrincipal(httpSender(server.url, await server.token()), clientId, privileges, securable);
}

/**
 * A non-admin service principal holding exactly the given privileges on the securable (through a role of its
 * own): how real clients run in the interop tests, so that they prove what a deny-by-default catalog allows.
 */
export async function createGrantedPrincipal(
  server: Pick<ServerProcess, 'url' | 'token'>,
  name: string,
  privileges: string[],
  securable: Securable,
  delegation?: { users?: ReadonlyArray<string | IssuedName>; groups?: readonly IssuedName[] },
): Promise<CreatedPrincipal> {
  const created = await createPrincipal(server, name, delegation);
  await grantTo(server, created.id, privileges, securable);
  return created;
}

/**
 * `read()` once it has not grown for 400 ms (at most about 16 s). The server writes its log asynchronously (pino,
 * `sync: false`), so a request's line can trail its response by a loaded machine's scheduling delay: 150 ms was once
 * enough only on a quiet one.
 */
export async function settled(read: () => string): Promise<string> {
  for (let i = 0, seen = -1; i < 40; i++) {
    const now = read().length;
    if (now === seen) break;
    seen = now;
    await new Promise((r) => setTimeout(r, 400));
  }
  return read();
}
