/**
 * What the kill -9 tests of a `lakegate serve` process at a test-only pause point share (compose/derivation-hold.ts;
 * lance-derivation-crash, lance-tag-event-crash): waiting for a condition with the server's recent output in the
 * timeout's message, and a Lance table of region rows created in namespace `crash` over HTTP, by its location on disk.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { httpSender } from './iceberg-http.js';
import { regionRows } from './lance-policy-tables.js';
import type { ServerProcess } from './server-process.js';

const L = '/lance/default/v1';

/** Polls `check` every 100 ms until it holds; past `ms`, fails naming `what`, with the server's last output. */
export async function until(server: () => ServerProcess | undefined, what: string, check: () => boolean | Promise<boolean>, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${server()?.output().slice(-4000)}`);
    await sleep(100);
  }
}

/** Creates `crash.<name>` (region rows with these ids) through the Lance API; its local location, without a trailing slash. */
export async function createCrashTable(s: ServerProcess, name: string, ids: number[]): Promise<string> {
  const res = await fetch(`${s.url}${L}/table/crash%24${name}/create`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.apache.arrow.stream', authorization: `Bearer ${await s.token()}` },
    body: regionRows(ids),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const described = await httpSender(s.url, await s.token())('POST', `${L}/table/crash%24${name}/describe`, {});
  return fileURLToPath((described.body.location as string).replace(/\/+$/, ''));
}
