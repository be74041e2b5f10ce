/**
 * The set-up the derivation recovery tests share (hostile-derivation-recovery, hostile-derivation-recovery-starvation):
 * a catalog in process with auth on SQLite and a file warehouse, the default warehouse's storage root (where its Lance
 * namespace puts a table), and derivation intents whose tables are gone, with a dataset that the file store fails to
 * list (a regular file where a directory should be: ENOTDIR, as a bucket gone or credentials revoked make an object
 * store refuse) or one it deletes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import type { DerivationIntent } from '../../packages/server/src/catalog/ports/derivation-intents.js';
import { startInProcess, type TestCatalog } from './in-process.js';
import { signInAdmin } from './principals.js';

export interface RecoveryCatalog {
  cat: TestCatalog;
  /** The default warehouse's storage root. */
  root: string;
  /** The directory of the derived datasets of the gone table `id`. */
  dirOf(id: string): string;
  /** An intent of the gone table `id` whose dataset and side file are `lance-v1-<id>.*` in `dir`. */
  intent(id: string, dir: string, createdAtMs: number): DerivationIntent;
  /** Writes the gone table `id`'s dataset as a regular file (its listing fails); its directory. */
  failingDataset(id: string): string;
  /** Writes the gone table `id`'s dataset (a data file and `extra` files beside it); its directory. */
  goneDataset(id: string, extra?: string[]): string;
  /** The sweep's round of the recovery of the intents (catalog/lance/policy-recovery.ts). */
  recover(): ReturnType<TestCatalog['lakegate']['services']['lance']['tables']['policyReads']['recover']>;
}

/** A catalog whose Lance namespace `ns` holds a declared table, from which the storage root is read. */
export async function startRecoveryCatalog(ns: string): Promise<RecoveryCatalog> {
  const cat = await startInProcess({}, { auth: true });
  const admin = await signInAdmin(cat);
  expect((await admin('POST', `/lance/default/v1/namespace/${ns}/create`, {})).status).toBe(200);
  const declared = await admin('POST', `/lance/default/v1/table/${ns}%24probe/declare`, {});
  expect(declared.status).toBe(200);
  const root = path.dirname(path.dirname(fileURLToPath((declared.body.location as string).replace(/\/+$/, ''))));
  const dirOf = (id: string) => path.join(root, 'gone', id, '_lakegate', 'policy', 'x');
  return {
    cat,
    root,
    dirOf,
    intent: (id, dir, createdAtMs) => ({
      id,
      warehouse: 'default',
      tableId: `gone-${id}`,
      tableUuid: '00000000-0000-4000-8000-000000000000',
      tableLocation: pathToFileURL(path.join(root, 'gone', id)).href,
      dataset: pathToFileURL(path.join(dir, `lance-v1-${id}.lance`)).href,
      side: pathToFileURL(path.join(dir, `lance-v1-${id}.json`)).href,
      createdAtMs,
    }),
    failingDataset(id) {
      const dir = dirOf(id);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `lance-v1-${id}.lance`), 'not a dataset');
      return dir;
    },
    goneDataset(id, extra = []) {
      const dir = dirOf(id);
      const dataset = path.join(dir, `lance-v1-${id}.lance`);
      mkdirSync(path.join(dataset, 'data'), { recursive: true });
      writeFileSync(path.join(dataset, 'data', 'a.lance'), 'rows');
      for (const f of extra) writeFileSync(path.join(dataset, f), f);
      return dir;
    },
    recover: () => cat.lakegate.services.lance.tables.policyReads.recover(),
  };
}
