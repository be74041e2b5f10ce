/**
 * Whether each policy of a table or view applies, as the policy management GET and list show it (policy-admin.ts,
 * issue 53): `enforced`, shown in the current names of its columns, or `unusable` as stored, with the reason (the
 * same words as the refusal its restricted reads get). An Iceberg table's or a view's policies follow its schemas by
 * field id (policies/follow.ts); a Lance table's follow Lance's own field ids in its latest version's manifest
 * (lance/native-fields.ts), as its restricted reads do. Framework-free and pure.
 */
import { LANCE_TABLE } from '../lance/table-id.js';
import { followLanceEach } from '../lance/native-fields.js';
import type { LanceManifestField } from '../lance/versions/manifest-file.js';
import type { Schema } from '../metadata/types.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import type { Policy } from '../ports/policies.js';
import { followPolicy, schemasOf, whyOf } from '../policies/follow.js';

/** A policy as GET and list show it: the policy, and whether it applies to the object's current schema. */
export interface Shown {
  policy: Policy;
  status?: { status: 'enforced' } | { status: 'unusable'; reason: string };
}

const unusable = (policy: Policy, e: unknown): Shown => ({ policy, status: { status: 'unusable', reason: whyOf(e) } });

/**
 * The object's schemas, its current one first (policies/follow.ts schemasOf); undefined on a Lance table (lanceShown)
 * and an Error for metadata that cannot be read (its restricted reads fail closed: every policy shows unusable, with
 * that reason).
 */
export function schemasFor(record: CatalogObjectRecord): Schema[] | Error | undefined {
  if (record.kind === LANCE_TABLE) return undefined;
  try {
    return schemasOf(record);
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/**
 * The policy in the current names of its field ids (policies/follow.ts, memoized per policy and schema), with its
 * status: `enforced`, or `unusable` as stored with the reason (whyOf) when it no longer applies to the current schema.
 */
export function current(p: Policy, schemas: Schema[] | Error | undefined): Shown {
  if (schemas === undefined) return { policy: p };
  if (schemas instanceof Error) return unusable(p, schemas);
  try {
    return { policy: followPolicy(p, schemas), status: { status: 'enforced' } };
  } catch (e) {
    return unusable(p, e);
  }
}

/**
 * A Lance table's policies against its latest version's fields (read once for all of them): each followed by Lance's
 * ids to its columns' current names and `enforced`, or `unusable` as stored with the words of the 422 its restricted
 * reads get (a column dropped, or dropped and added again under its name); one stored before the ids by name. Fields
 * that could not be read (an Error: no version yet, the Lance library missing for a table managing its own versions,
 * its manifest gone) make every policy unusable with that reason: its restricted reads are refused too.
 */
export function lanceShown(policies: readonly Policy[], fields: readonly LanceManifestField[] | Error): Shown[] {
  if (fields instanceof Error) return policies.map((p) => unusable(p, fields));
  const followed = followLanceEach(policies, fields);
  return policies.map((p, i) => {
    const now = followed[i]!;
    return now instanceof Error ? unusable(p, now) : { policy: now, status: { status: 'enforced' } };
  });
}
