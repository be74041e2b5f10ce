/** Builds a Lakegate app in-process on a temporary data dir, for app.inject() tests. */
import { buildLakegate, createLogger, loadConfig, type Lakegate } from '@lakegate/server';
import { tempDir } from './temp.js';

export interface TestCatalog {
  lakegate: Lakegate;
  dataDir: string;
  close(): Promise<void>;
}

export async function startInProcess(env: Record<string, string> = {}): Promise<TestCatalog> {
  const { dir, cleanup } = tempDir();
  // Catalog-semantics tests run anonymous; identity has its own tests with authentication on.
  const config = loadConfig({ env: { LAKEGATE_DATA_DIR: dir, LAKEGATE_LOG_LEVEL: 'silent', LAKEGATE_AUTH: 'disabled', ...env } });
  const lakegate = await buildLakegate({ config, logger: createLogger('silent') });
  return {
    lakegate,
    dataDir: dir,
    async close() {
      await lakegate.close();
      cleanup();
    },
  };
}
