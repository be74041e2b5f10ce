/**
 * Iceberg Java 1.11 with `snapshot-loading-mode=refs` (test/interop/java/SnapshotLoadingRefs.java) against a
 * real Lakegate process: a refs load must be parseable by Java's own parsers, including a v3 double default
 * written as `1.0` (Java refuses `1`), and the client's lazy load of every snapshot must follow it. The
 * server's request log shows that the client really asked for `snapshots=refs`, then for all snapshots. The
 * register and loadView answers must be parseable by the same parsers (before they were written from a parse of
 * the stored metadata, which turned `1.0` into `1`).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { icebergJavaLib } from '../support/peers.js';
import { requestLog } from '../support/request-log.js';
import { REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const PROGRAM = path.join(REPO_ROOT, 'test', 'interop', 'java', 'SnapshotLoadingRefs.java');
const JAVA = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';

let lib: string;
let server: ServerProcess;

beforeAll(async () => {
  lib = icebergJavaLib();
  // About the wire format, not identity: no authentication.
  server = await startServer({ anonymous: true });
}, 180_000);
afterAll(async () => server?.stop());

describe('Iceberg Java with snapshot-loading-mode=refs', () => {
  it('loads a v3 table with double defaults from a refs answer, then all its snapshots; registers it again and loads a view with them', async () => {
    const run = await runAsync(JAVA, ['-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', `${lib}/*`, PROGRAM], {
      env: { ...process.env, LAKEGATE_URI: server.url, LAKEGATE_NAMESPACE: 'java_refs' },
      timeoutMs: 240_000,
    });
    const lines = run.stdout
      .trim()
      .split('\n')
      .filter((l) => /^(ok|failed) /.test(l));
    expect(lines, run.stdout + run.stderr).toHaveLength(5);
    const current = /^ok appended current=(-?\d+)$/.exec(lines[0]!)?.[1];
    expect(current, lines[0]).toBeDefined();
    expect(lines.slice(1)).toEqual([
      `ok refs-load initial-default=1.0 write-default=2.5 current=${current}`,
      'ok all-snapshots 3',
      // The register and loadView answers carry the metadata as stored: a parse and a new serialisation wrote 1.
      'ok register initial-default=1.0 snapshots=3',
      'ok load-view initial-default=1.0 write-default=2.5',
    ]);
    expect(run.status).toBe(0);

    // The first catalog's own loads (its commits refresh the table) come first; then the refs catalog's two.
    const loads = requestLog(await server.settledOutput()).filter((r) => r.method === 'GET' && r.path.endsWith('/namespaces/java_refs/tables/defaults'));
    const modes = loads.map((r) => `${r.url.includes('snapshots=refs') ? 'refs' : 'all'} ${r.status}`);
    expect(modes.filter((m) => m.startsWith('refs'))).toEqual(['refs 200']);
    expect(modes.slice(-2)).toEqual(['refs 200', 'all 200']);
  });
});
