/** Trino's batched OPA filtering at scale on SQLite with the built-in authorizer (the suite: trino-opa-batch-suite.ts). */
import { trinoOpaBatchSuite } from './trino-opa-batch-suite.js';

trinoOpaBatchSuite('SQLite, built-in authorizer', async () => ({}));
