/** The permission matrix (test/access/permission-matrix.ts) with LAKEGATE_AUTHORIZER=openfga, on a real OpenFGA and a store of its own. */
import { afterAll, beforeAll } from 'vitest';
import { permissionMatrix } from '../access/permission-matrix.js';
import { type OpenFga, startOpenFga } from '../support/openfga.js';

let fga: OpenFga;
let env: Record<string, string> = {};
beforeAll(async () => {
  fga = await startOpenFga();
  env = await fga.lakegateEnv();
});
afterAll(async () => {
  await fga?.stop();
});

permissionMatrix('OpenFGA', () => env);
