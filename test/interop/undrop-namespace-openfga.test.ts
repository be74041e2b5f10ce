/**
 * Undrop of a dropped namespace over HTTP with OpenFGA as the authorizer (the suite: test/http/undrop-namespace-suite.ts):
 * the grant on the namespace, a tuple naming its catalog id, is neither written nor read by the drop, so it holds
 * again once the undrop brings the id back.
 */
import { afterAll } from 'vitest';
import { undropNamespaceSuite } from '../http/undrop-namespace-suite.js';
import { type OpenFga, startOpenFga } from '../support/openfga.js';

let fga: OpenFga | undefined;
afterAll(async () => fga?.stop());

undropNamespaceSuite('SQLite with OpenFGA', async () => {
  fga ??= await startOpenFga();
  return fga.lakegateEnv();
});
