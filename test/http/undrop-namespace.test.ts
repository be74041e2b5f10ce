/** Undrop of a dropped namespace over HTTP on SQLite (the suite: undrop-namespace-suite.ts; PostgreSQL: test/interop/undrop-namespace-postgres.test.ts). */
import { undropNamespaceSuite } from './undrop-namespace-suite.js';

undropNamespaceSuite('SQLite', async () => ({}));
