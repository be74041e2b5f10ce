/**
 * Apache Iceberg's REST fixture (RESTCatalogServer, JdbcCatalog on a file-backed SQLite database) as a test peer,
 * started through scripts/peers/iceberg-java.sh; restartable on the same port and database (a remote catalog killed
 * mid-run comes back with what it had).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { icebergJavaLib, peerScript } from './peers.js';
import { freePort } from './temp.js';

export interface IcebergFixture {
  url: string;
  /** SIGKILL: the remote catalog dies mid-run. */
  kill(): Promise<void>;
  /** Starts it again on the same port and database. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function waitForConfig(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the fixture exited early:\n${output()}`);
    try {
      const res = await fetch(`${url}/v1/config`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the fixture did not answer in time:\n${output()}`);
}

/** The fixture over `warehouse` (a file: URI) with its catalog database in `dbFile`. */
export async function startIcebergFixture(warehouse: string, dbFile: string): Promise<IcebergFixture> {
  icebergJavaLib();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let out = '';
  const start = async () => {
    out = '';
    child = spawn('bash', [peerScript('iceberg-java.sh'), 'fixture'], {
      env: {
        ...process.env,
        CATALOG_REST_PORT: String(port),
        CATALOG_WAREHOUSE: warehouse,
        // File-backed: the default in-memory database gives each pooled connection its own (apache/iceberg#13366).
        CATALOG_URI: `jdbc:sqlite:${dbFile}?journal_mode=WAL`,
        CATALOG_JDBC_SCHEMA__VERSION: 'V1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitForConfig(url, child, () => out);
    } catch (e) {
      await end('SIGKILL');
      throw e;
    }
  };
  const end = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    // The script execs java in its process group: the group goes with it.
    process.kill(-c.pid!, signal);
    await exited;
  };
  await start();
  return { url, kill: () => end('SIGKILL'), restart: start, stop: () => end('SIGTERM') };
}
