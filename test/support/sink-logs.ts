/**
 * The delivery guarantee of the event outbox, checked on what a sink's consumer got back (test/interop/events-faults.test.ts):
 * the outbox (the pull API, in sequence order) is the truth; a sink's records, in the order the consumer saw them,
 * must hold every outbox event (none missing, none extra), repeat an id only with the same body, and give each
 * table's events (partition key) in outbox order. The check returns what is wrong as text, so that one assertion
 * names every fault of every sink at once.
 */
import { stringifyJson } from '../../packages/server/src/catalog/json.js';

/** An event as the pull API lists it and sinks carry it (CloudEvents 1.0 JSON, parsed with exact 64-bit integers). */
export interface PulledEvent {
  id: string;
  type: string;
  partitionkey: string;
  sequence: string;
  data: any;
  [k: string]: unknown;
}

/** One record as a sink's consumer read it: the event id and its parsed body. */
export interface SinkRecordRead {
  id: string;
  body: any;
}

/** JSON with object keys sorted, so that two serialisations of one event compare equal whatever their key order. */
export function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object' && !(typeof (v as { toJSON?: unknown }).toJSON === 'function')) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return stringifyJson(sort(value));
}

/** The snapshot a `table.committed` event records (undefined for other events). */
export function snapshotOf(e: { type: string; data: any }): string | undefined {
  return e.type === 'io.lakegate.table.committed' ? String(e.data?.snapshots?.[0]?.['snapshot-id']) : undefined;
}

/** What is wrong with `records` as the delivery of `truth` (empty: nothing). */
export function sinkFaults(sink: string, truth: readonly PulledEvent[], records: readonly SinkRecordRead[]): string[] {
  const faults: string[] = [];
  const expected = new Map(truth.map((e) => [e.id, canonical(e)]));
  const firstBody = new Map<string, string>();
  const firsts: SinkRecordRead[] = [];
  for (const r of records) {
    const body = canonical(r.body);
    if (r.body?.id !== r.id) faults.push(`${sink}: record ${r.id} carries event ${String(r.body?.id)}`);
    const want = expected.get(r.id);
    if (want === undefined) faults.push(`${sink}: event ${r.id} is not in the outbox`);
    else if (body !== want) faults.push(`${sink}: event ${r.id} differs from the outbox's: ${body.slice(0, 200)}`);
    const seen = firstBody.get(r.id);
    if (seen === undefined) {
      firstBody.set(r.id, body);
      firsts.push(r);
    } else {
      if (seen !== body) faults.push(`${sink}: event ${r.id} delivered twice with different bodies`);
    }
  }
  const missing = truth.filter((e) => !firstBody.has(e.id));
  if (missing.length > 0)
    faults.push(
      `${sink}: ${missing.length} of ${truth.length} events missing, e.g. ${missing
        .slice(0, 3)
        .map((e) => `${e.sequence} ${e.type}`)
        .join(', ')}`,
    );
  // Per table (partition key): first arrivals in outbox order.
  const order = new Map(truth.map((e, i) => [e.id, i]));
  const lastByKey = new Map<string, number>();
  for (const r of firsts) {
    const at = order.get(r.id);
    if (at === undefined) continue;
    const key = String(r.body?.partitionkey);
    const before = lastByKey.get(key) ?? -1;
    if (at < before) faults.push(`${sink}: table ${key}: event ${truth[at]!.sequence} arrived after ${truth[before]!.sequence}`);
    lastByKey.set(key, Math.max(at, before));
  }
  // One event id per committed snapshot.
  const idsBySnapshot = new Map<string, Set<string>>();
  for (const r of firsts) {
    const s = snapshotOf(r.body);
    if (s !== undefined) idsBySnapshot.set(s, (idsBySnapshot.get(s) ?? new Set()).add(r.id));
  }
  for (const [s, ids] of idsBySnapshot) if (ids.size !== 1) faults.push(`${sink}: snapshot ${s} has ${ids.size} event ids`);
  return faults;
}

/** Repeated ids among `records` (retries that reached the consumer twice). */
export const duplicateCount = (records: readonly SinkRecordRead[]): number => records.length - new Set(records.map((r) => r.id)).size;

/**
 * A table's commit order from its metadata: the snapshot chain of `main` (current snapshot, then its parents), oldest
 * first. Every commit here asserts the ref's snapshot, so the chain holds every commit that landed.
 */
export function snapshotChain(metadata: any): string[] {
  const parents = new Map<string, string | undefined>();
  for (const s of metadata.snapshots ?? [])
    parents.set(
      String(s['snapshot-id']),
      s['parent-snapshot-id'] === undefined || s['parent-snapshot-id'] === null ? undefined : String(s['parent-snapshot-id']),
    );
  const chain: string[] = [];
  for (
    let at =
      metadata['current-snapshot-id'] === undefined || metadata['current-snapshot-id'] === null || String(metadata['current-snapshot-id']) === '-1'
        ? undefined
        : String(metadata['current-snapshot-id']);
    at !== undefined;
    at = parents.get(at)
  ) {
    chain.push(at);
    if (chain.length > parents.size) throw new Error('snapshot chain has a cycle');
  }
  return chain.reverse();
}
