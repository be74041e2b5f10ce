/**
 * The audit thread (compose/audit-thread.ts starts it): its own connection to the SQLite file the main thread has
 * migrated already (WAL, `synchronous = FULL`, busy_timeout: persistence/sqlite/sqlite-store.ts), written with the
 * repository's own insertAudit, so a batch lands as it did on the main thread: whole or not at all, and acknowledged
 * only after its commit returned (synced).
 *
 * Group commit: a write does not start on the message that asks for it but on the next turn of the loop, and takes
 * every batch that has arrived by then (those posted while the previous transaction was being written included) into
 * one transaction. A group that fails is written again batch by batch, each acknowledged or failed alone, unless the
 * database is out (ERR_UNAVAILABLE: the write lock held past busy_timeout), which fails the group as it stands.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { AuditEvent } from '../auth/ports.js';
import { CatalogError } from '../errors/catalog-error.js';
import { SqliteCatalogStore } from '../persistence/sqlite/sqlite-store.js';
import type { AuditThreadData, FromAuditThread, ThreadError, ToAuditThread } from './audit-thread.js';

const port = parentPort;
if (!port) throw new TypeError('audit-thread-entry runs in a worker thread');
const data = workerData as AuditThreadData;
const post = (m: FromAuditThread) => port.postMessage(m);

const store = new SqliteCatalogStore(data.file);
post({ type: 'ready', ...store.durability() });

let queue: { id: number; events: AuditEvent[] }[] = [];
let scheduled = false;
let writing = false;
let stopping = false;

function take(m: ToAuditThread): void {
  if (m.type === 'stop') stopping = true;
  else queue.push(m);
}

port.on('message', (m: ToAuditThread) => {
  take(m);
  if (!scheduled && !writing) {
    scheduled = true;
    setImmediate(() => void writeAll());
  }
});

async function writeAll(): Promise<void> {
  scheduled = false;
  writing = true;
  for (;;) {
    // Whatever has been posted by now joins this transaction.
    for (let m = receiveMessageOnPort(port!); m !== undefined; m = receiveMessageOnPort(port!)) take(m.message as ToAuditThread);
    if (queue.length === 0) break;
    const group = queue;
    queue = [];
    await write(group);
  }
  writing = false;
  if (stopping) await finish();
}

async function write(group: { id: number; events: AuditEvent[] }[]): Promise<void> {
  try {
    await store.identity.insertAudit(group.length === 1 ? group[0]!.events : group.flatMap((b) => b.events));
    post({ type: 'written', ids: group.map((b) => b.id) });
  } catch (err) {
    if (group.length === 1 || (err instanceof CatalogError && err.code === 'ERR_UNAVAILABLE')) {
      post({ type: 'failed', ids: group.map((b) => b.id), error: described(err) });
      return;
    }
    for (const batch of group) await write([batch]);
  }
}

let finished = false;
async function finish(): Promise<void> {
  if (finished) return;
  finished = true;
  await store.close().catch(() => undefined);
  post({ type: 'stopped' });
  port!.close();
}

function described(err: unknown): ThreadError {
  if (!(err instanceof Error)) return { message: String(err), name: 'Error', catalog: false };
  const code = (err as { code?: unknown }).code;
  return { message: err.message, name: err.name, code: typeof code === 'string' ? code : undefined, catalog: err instanceof CatalogError };
}
