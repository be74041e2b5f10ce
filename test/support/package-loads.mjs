/**
 * Loaded with `node --import` into a server process (test/cli/startup-loads.test.ts): appends the name of every npm
 * package the process (and each of its worker threads, which run the same --import) loads, once per thread, to the
 * file LAKEGATE_TEST_PACKAGE_LOG names. Plain JavaScript: the server process runs no TypeScript loader.
 */
import { appendFileSync } from 'node:fs';
import module from 'node:module';

const file = process.env.LAKEGATE_TEST_PACKAGE_LOG;
const seen = new Set();
if (file)
  module.registerHooks({
    load(url, context, next) {
      const name = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
      if (name !== undefined && !seen.has(name)) {
        seen.add(name);
        appendFileSync(file, `${name}\n`);
      }
      return next(url, context);
    },
  });
