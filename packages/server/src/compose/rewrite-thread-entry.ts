/**
 * Composition root of a Parquet rewrite thread (compose/rewrite-threads.ts starts it): runs one rewrite job at a time
 * with the same Parquet rewriter the request thread would use (policy-files/), on storage it opens itself from the
 * job's recipe (the warehouse's profile and opened secret; storage/kinds.ts builds it as WarehouseStorage does), and
 * answers the written file's stats or the error as plain data (rewrite-thread-wire.ts). It posts nothing else: no
 * log line, no recipe, no secret.
 */
import { parentPort } from 'node:worker_threads';
import type { ObjectStorage } from '../catalog/ports/index.js';
import { parquetRewriter } from '../policy-files/index.js';
import { lowerOwnThreadPriority } from '../runtime/thread-priority.js';
import { kindOf } from '../storage/kinds.js';
import type { StorageRecipe } from '../storage/warehouse-storage.js';
import { type FromRewriteThread, type ToRewriteThread, toWire } from './rewrite-thread-wire.js';

/** The thread's niceness where SCHED_IDLE is not to be had (the main side asks for SCHED_IDLE, rewrite-threads.ts). */
export const REWRITE_NICENESS = 10;
/** Storages kept built (by recipe id; a changed profile or secret is a new id): the oldest goes beyond this. */
const KEPT_STORAGES = 16;

const port = parentPort;
if (!port) throw new TypeError('rewrite-thread-entry runs in a worker thread');
const post = (m: FromRewriteThread) => port.postMessage(m);

const storages = new Map<string, ObjectStorage>();
const shared = new Map<string, unknown>();

async function storageOf(recipe: StorageRecipe): Promise<ObjectStorage> {
  const known = storages.get(recipe.id);
  if (known) return known;
  const kind = kindOf(recipe.profile.type);
  const built = await kind.build(recipe.profile, recipe.secret as never, {
    warehouse: recipe.warehouse,
    shared: <T>(make: () => T): T => {
      if (!shared.has(recipe.profile.type)) shared.set(recipe.profile.type, make());
      return shared.get(recipe.profile.type) as T;
    },
  });
  if (storages.size >= KEPT_STORAGES) storages.delete(storages.keys().next().value!);
  storages.set(recipe.id, built.storage);
  return built.storage;
}

port.on('message', (m: ToRewriteThread) => {
  if (m.type !== 'job') return;
  void (async () => {
    try {
      const storage = await storageOf(m.storage);
      const file = await parquetRewriter(storage, m.dir).rewrite(m.request);
      post({ type: 'done', id: m.id, file });
    } catch (e) {
      post({ type: 'failed', id: m.id, error: toWire(e) });
    }
  })();
});

// Rewrites are background work for the request thread: niceness first, then SCHED_IDLE as the main side sets it.
const tid = lowerOwnThreadPriority(REWRITE_NICENESS);
if (tid !== undefined) post({ type: 'priority', tid, niceness: REWRITE_NICENESS, policy: 'normal' });
