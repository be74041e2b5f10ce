/**
 * A test's own view of the Hive Metastore's locks, over raw Thrift (not Lakegate's hms-lock.ts, which is under test):
 * take a table lock as another writer would (Iceberg's HiveTableOperations: one EXCLUSIVE table-level component, no
 * transaction), release it, and list the locks HMS holds on a table (show_locks).
 */
import type { HmsClient } from '../../packages/server/src/federation/hive/hms-client.js';
import {
  asI32,
  asI64,
  asList,
  asString,
  asStruct,
  bool,
  i32,
  list,
  str,
  struct,
  T,
  type ThriftValue,
} from '../../packages/server/src/federation/hive/thrift-values.js';

export interface ShownLock {
  id: number;
  /** 1 ACQUIRED, 2 WAITING. */
  state: number | undefined;
  agent: string | undefined;
  lastHeartbeat: number | undefined;
}

/** Takes the table's EXCLUSIVE lock and expects it granted at once; answers its id as HMS sent it. */
export async function takeTableLock(client: HmsClient, db: string, table: string, agent = 'test-writer'): Promise<ThriftValue> {
  const component = struct([
    [1, i32(3)],
    [2, i32(2)],
    [3, str(db)],
    [4, str(table)],
  ]);
  const request = struct([
    [1, list(T.STRUCT, [component])],
    [3, str('other-writer')],
    [4, str('localhost')],
    [5, str(agent)],
  ]);
  const answer = asStruct(await client.call('lock', [[1, request]]));
  if (asI32(answer?.get(2)) !== 1) throw new Error(`the test's lock on ${db}.${table} was not granted at once (state ${asI32(answer?.get(2))})`);
  return answer!.get(1)!;
}

export async function releaseTableLock(client: HmsClient, id: ThriftValue): Promise<void> {
  await client.call('unlock', [[1, struct([[1, id]])]]);
}

export async function tableLocks(client: HmsClient, db: string, table: string): Promise<ShownLock[]> {
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
  return asList(asStruct(shown)?.get(1)).map((v) => {
    const e = asStruct(v)!;
    return { id: asI64(e.get(1))!, state: asI32(e.get(5)), agent: asString(e.get(13)), lastHeartbeat: asI64(e.get(8)) };
  });
}
