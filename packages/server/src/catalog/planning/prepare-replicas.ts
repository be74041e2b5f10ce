/**
 * What the processes of a server and the replicas on one database tell each other of prepared policy-enforced files
 * (issue 53; prepare-policy-files.ts): a process that prepared a table after a change it made (a commit, a policy or
 * membership change; not its startup catch-up, which the running processes need not repeat) announces it on the `policy-files` Coherence topic with the metadata it
 * prepared. Every other process then prepares the same table too, in its own queue: it finds each file by its side
 * file (written, or being written under a claim it waits for: restricted.ts) and writes nothing, so its caches (side
 * files, derived entries, manifests) hold them before its first plan; and it derives the role combinations only its
 * own callers planned (prepare-combinations.ts), which the announcing process could not know. That preparation is
 * not announced again (no echo), and is skipped when the table's metadata moved on meanwhile (the process that made
 * the newer change prepares and announces it). A key too long for a notification arrives as none and is ignored.
 */
import type { Coherence } from '../ports/index.js';

export interface PreparedTable {
  warehouse: string;
  namespace: string[];
  name: string;
  uuid: string;
}

/** Tells the other processes that `table` was prepared at `metadataLocation`. */
export function announcePrepared(coherence: Coherence, table: PreparedTable, metadataLocation: string): void {
  coherence.announce('policy-files', JSON.stringify([table.warehouse, table.namespace, table.name, table.uuid, metadataLocation]));
}

/** Runs `heard` for each preparation another process announces. */
export function onPrepared(coherence: Coherence, heard: (table: PreparedTable, metadataLocation: string) => void): void {
  coherence.on('policy-files', (key) => {
    const parsed = parse(key);
    if (parsed !== undefined) heard(parsed.table, parsed.metadataLocation);
  });
}

function parse(key: string | undefined): { table: PreparedTable; metadataLocation: string } | undefined {
  if (key === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(key);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || v.length !== 5) return undefined;
  const [warehouse, namespace, name, uuid, metadataLocation] = v as unknown[];
  if (typeof warehouse !== 'string' || typeof name !== 'string' || typeof uuid !== 'string' || typeof metadataLocation !== 'string') return undefined;
  if (!Array.isArray(namespace) || !namespace.every((l) => typeof l === 'string')) return undefined;
  return { table: { warehouse, namespace, name, uuid }, metadataLocation };
}
