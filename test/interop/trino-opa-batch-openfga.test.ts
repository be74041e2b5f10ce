/** Trino's batched OPA filtering at scale with OpenFGA as the authorizer (the suite: test/http/trino-opa-batch-suite.ts). */
import { afterAll } from 'vitest';
import { trinoOpaBatchSuite } from '../http/trino-opa-batch-suite.js';
import { type OpenFga, startOpenFga } from '../support/openfga.js';

let fga: OpenFga | undefined;
afterAll(async () => fga?.stop());

trinoOpaBatchSuite('SQLite with OpenFGA', async () => {
  fga ??= await startOpenFga();
  return fga.lakegateEnv();
});
