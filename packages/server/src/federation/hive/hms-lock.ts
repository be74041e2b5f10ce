/**
 * The Hive Metastore's table lock around a Lakegate commit, taken as Iceberg's HiveTableOperations takes it (its
 * MetastoreLock), so that Lakegate and every Iceberg writer with HMS locks on (Iceberg's default) exclude each other:
 * `lock` with one EXCLUSIVE table-level component (no transaction), `check_lock` until it is ACQUIRED (backing off from
 * 50 ms to 1 s) within a bound, a `heartbeat` while it is held (HMS times out a lock not heartbeaten within its
 * metastore.txn.timeout, 300 s by default), `unlock` in finally. Why it matters: such a writer checks the pointer
 * under the lock and then alters the table *without* an expected value; a Lakegate swap landing between its check and
 * its alter would be overwritten. Under the lock Lakegate reads the table, and its alter still carries the expected
 * metadata_location (HMS's compare, for the writers that take no lock).
 *
 * A lock not granted in time is a 409 (CommitFailedException: nothing was committed, the client retries), never a
 * 503, which Iceberg clients take as "commit state unknown". A metastore that cannot lock (no transaction tables: a
 * DataNucleus-made schema) answers lock with an application exception (HMS 4.0.1: "Internal error processing lock";
 * test/interop/federation-hive-nolocks.test.ts) or a MetaException: a 502 naming federation.lock-enabled.
 * The lock's agentInfo is unique per attempt: a lock whose reply was lost (timeout) is found by it and released.
 */
import os from 'node:os';
import { CatalogError } from '../../errors/catalog-error.js';
import { type HmsClient, HmsException, HmsTransportError } from './hms-client.js';
import { hmsError } from './hms-errors.js';
import { asI32, asList, asString, asStruct, bool, i32, list, str, struct, T, type ThriftValue } from './thrift-values.js';

/** hive_metastore.thrift's enums (LockType, LockLevel, LockState). */
const EXCLUSIVE = 3;
const TABLE_LEVEL = 2;
const STATE = { ACQUIRED: 1, WAITING: 2, ABORT: 3, NOT_ACQUIRED: 4 } as const;

const FIRST_CHECK_MS = 50;
const MAX_CHECK_MS = 1000;

export interface TableLockOptions {
  /** How long to wait for the lock before the commit is refused (409). */
  acquireTimeoutMs: number;
  /** How often a held lock is heartbeaten (well below the metastore's metastore.txn.timeout). */
  heartbeatMs: number;
}

/** A lock being held: the commit asks it, right before its alter, whether the metastore still knows it. */
export interface HeldLock {
  assertHeld(): void;
}

const lockRequest = (db: string, table: string, agent: string): ThriftValue =>
  struct([
    [
      1,
      list(T.STRUCT, [
        struct([
          [1, i32(EXCLUSIVE)],
          [2, i32(TABLE_LEVEL)],
          [3, str(db)],
          [4, str(table)],
        ]),
      ]),
    ],
    [3, str('lakegate')],
    [4, str(os.hostname())],
    [5, str(agent)],
  ]);

const lockId = (id: ThriftValue): ThriftValue => struct([[1, id]]);

/** What the lock calls answer (LockResponse): the lock id as read (an i64 passed back untouched) and its state. */
function response(value: ThriftValue | undefined): { id: ThriftValue; state: number | undefined; message: string | undefined } {
  const r = asStruct(value);
  const id = r?.get(1);
  if (!id || id.type !== T.I64) throw hmsError(new HmsTransportError('lock: the answer has no lock id', 'protocol'), {});
  return { id, state: asI32(r!.get(2)), message: asString(r!.get(3)) };
}

/** A declared exception or an application exception ("Internal error processing lock"): the metastore's own refusal. */
const refusal = (e: unknown): string | undefined =>
  e instanceof HmsException
    ? e.message.slice(0, 300) || e.method
    : e instanceof HmsTransportError && e.kind === 'protocol'
      ? e.message.slice(0, 300)
      : undefined;

function lockRefused(db: string, table: string, e: unknown): CatalogError {
  const why = refusal(e);
  if (why === undefined) return hmsError(e, {});
  return new CatalogError(
    'ERR_REMOTE_INVALID',
    `The Hive metastore could not lock ${db}.${table} (${why}): a metastore without its transaction tables takes no locks; set federation.lock-enabled to false for it`,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The locks this attempt's agent holds on the table (after a lock call whose answer was lost). */
async function ownLocks(client: HmsClient, db: string, table: string, agent: string): Promise<ThriftValue[]> {
  const shown = await client.call('show_locks', [
    [
      1,
      struct([
        [1, str(db)],
        [2, str(table)],
        [4, bool(false)],
      ]),
    ],
  ]);
  return asList(asStruct(shown)?.get(1)).flatMap((element) => {
    const e = asStruct(element);
    const id = e?.get(1);
    return e && id && asString(e.get(13)) === agent ? [id] : [];
  });
}

async function release(client: HmsClient, id: ThriftValue): Promise<void> {
  // A lock already gone (timed out, or the metastore restarted) is released; any other failure leaves it to expire.
  await client.call('unlock', [[1, lockId(id)]]).catch(() => undefined);
}

/** Acquires the table's lock (or throws), runs BODY under it with a heartbeat, and always unlocks. */
export async function withTableLock<R>(
  client: HmsClient,
  db: string,
  table: string,
  options: TableLockOptions,
  body: (held: HeldLock) => Promise<R>,
): Promise<R> {
  const agent = `lakegate:${crypto.randomUUID()}`;
  let answer: ReturnType<typeof response>;
  try {
    answer = response(await client.call('lock', [[1, lockRequest(db, table, agent)]]));
  } catch (e) {
    if (e instanceof HmsTransportError) for (const id of await ownLocks(client, db, table, agent).catch(() => [])) await release(client, id);
    throw lockRefused(db, table, e);
  }
  const id = answer.id;
  try {
    const deadline = Date.now() + options.acquireTimeoutMs;
    let wait = FIRST_CHECK_MS;
    while (answer.state === STATE.WAITING && Date.now() < deadline) {
      await sleep(Math.min(wait, Math.max(0, deadline - Date.now())));
      wait = Math.min(wait * 2, MAX_CHECK_MS);
      answer = { ...response(await client.call('check_lock', [[1, lockId(id)]])), id };
    }
  } catch (e) {
    await release(client, id);
    // NoSuchLockException / TxnAbortedException while waiting: the metastore dropped the waiting lock (timed out).
    if (e instanceof HmsException)
      throw new CatalogError(
        'ERR_COMMIT_CONFLICT',
        `The Hive metastore dropped the waiting lock on ${db}.${table} (${e.message.slice(0, 300) || e.method}); nothing was committed, retry`,
      );
    throw hmsError(e, {});
  }
  if (answer.state !== STATE.ACQUIRED) {
    await release(client, id);
    if (answer.state === STATE.WAITING)
      throw new CatalogError(
        'ERR_COMMIT_CONFLICT',
        `The Hive table ${db}.${table} is locked by another writer: its HMS lock was not granted within ${options.acquireTimeoutMs} ms (federation.lock-timeout-ms); nothing was committed, retry`,
      );
    throw new CatalogError(
      'ERR_COMMIT_CONFLICT',
      `The Hive metastore did not grant the lock on ${db}.${table} (state ${answer.state ?? 'unknown'}${answer.message ? `: ${answer.message.slice(0, 300)}` : ''}); nothing was committed, retry`,
    );
  }

  let lost: string | undefined;
  const heartbeat = setInterval(() => {
    client.call('heartbeat', [[1, struct([[1, id]])]]).catch((e: unknown) => {
      // NoSuchLockException / TxnAbortedException: the metastore dropped the lock. A transport failure may pass.
      if (e instanceof HmsException) lost = e.message.slice(0, 300) || e.method;
    });
  }, options.heartbeatMs);
  heartbeat.unref();
  const held: HeldLock = {
    assertHeld() {
      if (lost !== undefined)
        throw new CatalogError('ERR_COMMIT_CONFLICT', `The HMS lock on ${db}.${table} was lost before the commit (${lost}); nothing was committed, retry`);
    },
  };
  try {
    return await body(held);
  } finally {
    clearInterval(heartbeat);
    await release(client, id);
  }
}

/** The connection test's part: the metastore can show its locks (it has its transaction tables), or a clear refusal. */
export async function checkLocking(client: HmsClient): Promise<void> {
  try {
    await client.call('show_locks', [[1, struct([[2, str('lakegate_connection_test')]])]]);
  } catch (e) {
    const why = refusal(e);
    if (why === undefined) throw hmsError(e, {});
    throw new CatalogError(
      'ERR_REMOTE_INVALID',
      `The Hive metastore cannot take table locks (${why}); set federation.lock-enabled to false for a metastore without its transaction tables`,
    );
  }
}
