import path from 'node:path';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => path.resolve(import.meta.dirname, 'packages', pkg, 'src', 'index.ts');

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources; the built dist/ is what users and the CLI run.
    alias: {
      // Subpath exports first: a string alias also matches "<name>/…" and would append the subpath to index.ts.
      '@lakegate/protocol/validation': path.resolve(import.meta.dirname, 'packages', 'protocol', 'src', 'validation', 'index.ts'),
      '@lakegate/protocol/constants': path.resolve(import.meta.dirname, 'packages', 'protocol', 'src', 'constants.ts'),
      '@lakegate/protocol/json-native': path.resolve(import.meta.dirname, 'packages', 'protocol', 'src', 'json-native.ts'),
      '@lakegate/server/tracing': path.resolve(import.meta.dirname, 'packages', 'server', 'src', 'observability', 'tracing.ts'),
      '@lakegate/client/browser': path.resolve(import.meta.dirname, 'packages', 'client', 'src', 'browser.ts'),
      '@lakegate/server': src('server'),
      '@lakegate/client': src('client'),
      '@lakegate/protocol': src('protocol'),
      '@lakegate/sigv4': src('sigv4'),
    },
  },
  test: {
    projects: [
      {
        // extends: the projects inherit the root's resolve.alias (without it they would import the built dist/).
        extends: true,
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'test/http/**/*.test.ts',
            'test/access/**/*.test.ts',
            'test/persistence/**/*.test.ts',
            'test/client/**/*.test.ts',
            'test/cli/**/*.test.ts',
            'test/structure/**/*.test.ts',
            'test/support/**/*.test.ts',
          ],
          testTimeout: 30_000,
          hookTimeout: 120_000,
          // expect.poll's own default (1 s) is a wall-clock bound on a loaded machine (two unit runs at once in CI):
          // polls wait up to 20 s unless a test says otherwise. A failing poll still fails, only later.
          expect: { poll: { timeout: 20_000 } },
          // The files of a worker share one module registry instead of importing the server afresh for each file:
          // measured on test/http (16 files), import 155 s -> 17 s and the run 332 s -> 119 s. Every file builds its
          // own catalog, stores and servers (nothing is kept in a module's state between files); the whole project
          // passes this way on Node 22, 24 and 26.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'interop',
          include: ['test/interop/**/*.test.ts'],
          // Heavy peers (Keycloak, the Spark driver host, Trino, a Kafka broker) start once per run and are stopped at its end
          // (test/support/shared-peers.ts).
          globalSetup: ['test/support/global-peers.ts'],
          // Real peers (JVMs, Python, PostgreSQL) are heavy: one file at a time per Vitest process. `npm test` runs two
          // processes over disjoint lanes (scripts/interop-lanes.mjs: the files with JVM peers, and the rest).
          fileParallelism: false,
          // A test body is at most a few minutes (Spark ~2.5); set-up hooks may build peers from cold caches.
          testTimeout: 8 * 60_000,
          hookTimeout: 25 * 60_000,
          // As the unit project's: a browser's round trip after a click, beside two JVMs, can take more than 1 s.
          expect: { poll: { timeout: 20_000 } },
        },
      },
    ],
  },
});
