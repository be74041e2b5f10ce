/** Builds a Lakegate app in-process on a temporary data dir, for app.inject() tests. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { type BuildOptions, buildLakegate, createLogger, loadConfig, type Lakegate } from '@lakegate/server';
import { tempDir } from './temp.js';

export interface TestCatalog {
  lakegate: Lakegate;
  dataDir: string;
  /** Everything logged so far (JSON lines). */
  logs(): string;
  /** The bootstrap admin's credentials (only when authentication is on). */
  admin(): { client_id: string; client_secret: string };
  close(): Promise<void>;
}

export interface InProcessOptions {
  /** Authentication on (the default for identity tests is on; catalog-semantics tests run anonymous). */
  auth?: boolean;
  clock?: { now(): number };
  /** Another replica: share this data dir (and its SQLite database) with a catalog started before; it is not removed on close. */
  dataDir?: string;
  /** How event sink destinations resolve (buildLakegate's hostResolver; default: the system resolver). */
  hostResolver?: (host: string) => Promise<string[]>;
  /** The data-file rewriter (buildLakegate's rewriter; default: the Parquet one). */
  rewriter?: BuildOptions['rewriter'];
  /** Traces (buildLakegate's tracing; default: off), e.g. memoryTracing() to count what a request did. */
  tracing?: BuildOptions['tracing'];
}

export async function startInProcess(env: Record<string, string> = {}, options: InProcessOptions = {}): Promise<TestCatalog> {
  const { dir, cleanup } = options.dataDir ? { dir: options.dataDir, cleanup: () => undefined } : tempDir();
  let logged = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      logged += chunk.toString();
      done();
    },
  });
  // Catalog-semantics tests run anonymous; identity has its own tests with authentication on.
  const config = loadConfig({
    env: { LAKEGATE_DATA_DIR: dir, LAKEGATE_LOG_LEVEL: 'info', LAKEGATE_AUTH: options.auth ? 'required' : 'disabled', ...env },
  });
  const lakegate = await buildLakegate({
    config,
    logger: createLogger('info', sink),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.hostResolver ? { hostResolver: options.hostResolver } : {}),
    ...(options.rewriter ? { rewriter: options.rewriter } : {}),
    ...(options.tracing ? { tracing: options.tracing } : {}),
  });
  return {
    lakegate,
    dataDir: dir,
    logs: () => logged,
    admin: () => JSON.parse(readFileSync(path.join(dir, 'admin-credentials.json'), 'utf8')) as { client_id: string; client_secret: string },
    async close() {
      await lakegate.close();
      cleanup();
    },
  };
}
