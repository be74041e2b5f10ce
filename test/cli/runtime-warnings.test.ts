/**
 * `lakegate serve` on the Node that runs the suite writes nothing to stderr but its banner: no runtime deprecation (avsc 5.7.7 used
 * `new buffer.SlowBuffer`, DEP0030 on Node 24 and a crash on 26, where SlowBuffer is gone), no experimental-feature
 * warning, no native-module complaint. CI runs the unit project on every supported line (`.ci/run`: 26, 24, 22), so
 * this test holds on each of them. On a Node outside the supported lines the only line allowed is Lakegate's own
 * unsupported-Node warning. Both the single process and the primary with its workers are checked, through
 * requests that reach the database and a shutdown. Two nets: Node's own `--redirect-warnings` (every process
 * warning of the primary and its workers, which inherit NODE_OPTIONS, goes to a file that must stay absent), and
 * stderr itself, for what does not pass through process warnings (an addon's assertion, a crash).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unsupportedNodeWarning } from '../../packages/cli/src/cli/node-version.js';
import { httpSender, simpleSchema } from '../support/iceberg-http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { tempDir } from '../support/temp.js';

let server: ServerProcess | undefined;
let temp: ReturnType<typeof tempDir> | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  temp?.cleanup();
});

const expected = unsupportedNodeWarning(process.version) ?? '';

describe(`lakegate serve on Node ${process.version}`, { timeout: 120_000 }, () => {
  for (const workers of [1, 2]) {
    it(`writes nothing to stderr from start to stop (--workers ${workers})`, async () => {
      temp = tempDir('lakegate-warnings-');
      const warningsFile = path.join(temp.dir, 'warnings.txt');
      const nodeOptions = [process.env.NODE_OPTIONS, `--redirect-warnings=${warningsFile}`].filter(Boolean).join(' ');
      server = await startServer({ workers, env: { NODE_OPTIONS: nodeOptions } });
      const send = httpSender(server.url, await server.token());
      expect((await send('POST', '/v1/default/namespaces', { namespace: ['warn'] })).status).toBe(200);
      expect((await send('POST', '/v1/default/namespaces/warn/tables', { name: 't', schema: simpleSchema })).status).toBe(200);
      expect((await send('GET', '/v1/default/namespaces/warn/tables/t')).status).toBe(200);
      await server.stop('SIGTERM');
      expect(server.process.exitCode).toBe(0);
      expect(existsSync(warningsFile) ? readFileSync(warningsFile, 'utf8') : '').toBe('');
      // stderr: whatever the Node line warrants (nothing, or the unsupported-Node warning), then the banner, then nothing that looks like trouble.
      const stderr = server.errorOutput();
      const banner = stderr.indexOf('\nLakegate catalog is listening at ');
      expect(banner, stderr).toBeGreaterThanOrEqual(0);
      expect(stderr.slice(0, banner)).toBe(expected);
      expect(stderr.slice(banner)).not.toMatch(/\(node:\d+\)|Warning|warning:|Assertion|Error|error:/);
    });
  }
});
