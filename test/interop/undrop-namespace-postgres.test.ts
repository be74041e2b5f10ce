/** Undrop of a dropped namespace over HTTP on PostgreSQL (the suite: test/http/undrop-namespace-suite.ts). */
import { afterAll } from 'vitest';
import { undropNamespaceSuite } from '../http/undrop-namespace-suite.js';
import { type Postgres, startPostgres } from '../support/peers.js';
import { freePort, tempDir } from '../support/temp.js';

const pgDir = tempDir('lakegate-pg-');
let pg: Postgres | undefined;
afterAll(() => {
  pg?.stop();
  pgDir.cleanup();
});

undropNamespaceSuite('PostgreSQL', async () => {
  pg ??= startPostgres(`${pgDir.dir}/cluster`, await freePort());
  return { LAKEGATE_DATABASE: pg.createDatabase('nsundrop') };
});
