/**
 * Whether each policy of a table or view applies, as the policy management GET and list show it (policy-admin.ts,
 * issue 53): `enforced`, shown in the current names of its columns, or `unusable` as stored, with the reason (the
 * same words as the refusal its restricted reads get). An Iceberg table's or a view's policies follow its schemas by
 * field id (policies/follow.ts); a Lance table's follow Lance's own field ids in its latest version's manifest
 * (lance/native-fields.ts), as its restricted reads do. Framework-free and pure.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { followLanceEach, type LatestLanceShape } from '../lance/native-fields.js';
import { bindPolicy, fieldIdsByPath, lanceSchema, uncarriedAtRead } from '../lance/policy-columns.js';
import type { Schema } from '../metadata/types.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import type { LanceColumn } from '../ports/lance-policy.js';
import type { Policy } from '../ports/policies.js';
import { combine } from '../policies/effective.js';
import { followPolicy, schemasOf, whyOf } from '../policies/follow.js';
import { checkRowFilter } from '../policies/rules.js';

/** A policy as GET and list show it: the policy, and whether it applies to the object's current schema. */
export interface Shown {
  policy: Policy;
  status?: { status: 'enforced' } | { status: 'unusable'; reason: string };
}

const unusable = (policy: Policy, e: unknown): Shown => ({ policy, status: { status: 'unusable', reason: whyOf(e) } });

/**
 * An Iceberg table's or a view's schemas, its current one first (policies/follow.ts schemasOf; a Lance table's
 * policies go through lanceShown), or an Error for metadata that cannot be read (its restricted reads fail closed:
 * every policy shows unusable, with that reason).
 */
export function schemasFor(record: CatalogObjectRecord): Schema[] | Error {
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
export function current(p: Policy, schemas: Schema[] | Error): Shown {
  if (schemas instanceof Error) return unusable(p, schemas);
  try {
    return { policy: followPolicy(p, schemas), status: { status: 'enforced' } };
  } catch (e) {
    return unusable(p, e);
  }
}

/**
 * A Lance table's policies against its latest version (read once for all of them): each followed by Lance's ids to its
 * columns' current names, and bound to the version's columns as its restricted reads bind it (policy-columns.ts
 * bindPolicy): `enforced`, shown with its columns' current field ids (positions: a column dropped or added renumbers
 * them), or `unusable` as stored with the words of the 422 those reads get (a column dropped, or dropped and added
 * again under its name; a mask or filter that no longer suits its column's type, as a policy stored before the ids,
 * bound by name, may meet). Without the columns (no Lance library here) the field ids are shown as stored. Fields that
 * could not be read (an Error: no version yet, the Lance library missing for a table managing its own versions, its
 * manifest gone) make every policy unusable with that reason: its restricted reads are refused too. A column the
 * policy-derived dataset cannot carry (a large list, a union, a fixed-size list of structs), whatever the policy names, makes every policy unusable
 * with the words of the read's refusal naming it (before 2026-11-29 `enforced`, or the deriver's bare 400).
 */
export function lanceShown(policies: readonly Policy[], latest: LatestLanceShape | Error): Shown[] {
  if (latest instanceof Error) return policies.map((p) => unusable(p, uncarried(p, undefined, latest) ?? latest));
  const { columns } = latest;
  // A column the derived dataset cannot carry refuses every restricted read of the table, whatever its policies name.
  if (columns?.some((c) => c.uncarried !== undefined)) return policies.map((p) => unusable(p, uncarried(p, columns)));
  const followed = followLanceEach(policies, latest.fields);
  // The version's schema, made once for every policy: its field ids by path, and what a row filter is checked against.
  const schema = columns === undefined ? undefined : lanceSchema(columns);
  const byPath = schema === undefined ? undefined : fieldIdsByPath(schema);
  return policies.map((p, i) => {
    const now = followed[i]!;
    if (now instanceof Error) return unusable(p, now);
    if (columns === undefined || schema === undefined || byPath === undefined) return { policy: now, status: { status: 'enforced' } };
    try {
      bindPolicy(combine([now]), columns);
      return { policy: numbered(now, byPath, schema), status: { status: 'enforced' } };
    } catch (e) {
      if (e instanceof CatalogError) return unusable(p, e);
      throw e;
    }
  });
}

/**
 * The refusal a restricted read of the policy's table gets (policy-reads.ts forCaller, before it follows or binds any
 * policy) for a column the policy-derived dataset cannot carry: one the deriver marks (LanceColumn.uncarried), or a
 * version the deriver refused to read (its 400: a large list apache-arrow cannot read). In the same words, naming the
 * policy; undefined for any other failure.
 */
function uncarried(p: Policy, columns: readonly LanceColumn[] | undefined, refused?: Error): CatalogError | undefined {
  if (refused !== undefined && !(refused instanceof CatalogError && refused.code === 'ERR_VALIDATION')) return undefined;
  return uncarriedAtRead([p], columns, refused);
}

/** The policy with its columns' field ids in the version bound (its masks', its filter's), as its restricted reads bind them. */
function numbered(p: Policy, byPath: ReadonlyMap<string, number | undefined>, schema: Schema): Policy {
  return {
    ...p,
    ...(p.masks !== undefined ? { masks: p.masks.map((m) => ({ ...m, fieldId: byPath.get(m.column) ?? m.fieldId })) } : {}),
    ...(p.fieldIds !== undefined && p.filter !== undefined ? { fieldIds: checkRowFilter(p.filter, schema) } : {}),
  };
}
