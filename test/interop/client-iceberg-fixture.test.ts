/**
 * The SDK's Iceberg suite (test/client/iceberg-suite.ts) against an independent server: Apache Iceberg's REST fixture
 * `RESTCatalogServer` (iceberg-open-api 1.11.0 test fixtures from Maven Central, JdbcCatalog backend) started through
 * scripts/peers/iceberg-java.sh. It has no authentication, no credential vending and no idempotency keys: the suite
 * asserts that the SDK's endpoint gating refuses what it does not advertise.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { icebergCatalogSuite } from '../client/iceberg-suite.js';
import { icebergJavaLib, peerScript } from '../support/peers.js';
import { freePort, tempDir } from '../support/temp.js';

async function waitForConfig(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
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

icebergCatalogSuite(async () => {
  icebergJavaLib();
  const dir = tempDir('lakegate-sdk-fixture-');
  const port = await freePort();
  // A file-backed SQLite database: the fixture's default in-memory one gives each pooled connection its own empty
  // database (apache/iceberg#13366), see bench/run.mjs.
  const child = spawn('bash', [peerScript('iceberg-java.sh'), 'fixture'], {
    env: {
      ...process.env,
      CATALOG_REST_PORT: String(port),
      CATALOG_WAREHOUSE: `${dir.dir}/warehouse`,
      CATALOG_URI: `jdbc:sqlite:${dir.dir}/catalog.db?journal_mode=WAL`,
      CATALOG_JDBC_SCHEMA__VERSION: 'V1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    dir.cleanup();
  };
  const uri = `http://127.0.0.1:${port}`;
  try {
    await waitForConfig(uri, child, () => out);
  } catch (e) {
    await stop();
    throw e;
  }
  // Jetty's GzipHandler turns the fixture's (unquoted) ETag into `<etag>--gzip` on compressed answers and does not
  // strip the suffix from If-None-Match, so conditional loads over fetch (which asks for gzip) always get 200.
  return { options: { uri }, etags: 'ignored', stop };
});

