/**
 * Commit requirements for tables (optimistic concurrency).
 *
 * Why: a client builds its updates against the metadata it last read; each
 * requirement states one fact about that metadata. If the table moved on,
 * the commit must fail with a conflict (409) so the client refreshes and
 * retries, instead of silently overwriting a concurrent change. The exact
 * conditions follow Iceberg Java's UpdateRequirement.
 */
import { commitConflict, validation } from '../../errors/catalog-error.js';
import { asLong, get, isObject } from './read.js';
import type { TableMetadata } from './types.js';
import type { TableRequirement } from './change-types.js';
import { parseList, parseTableRequirement } from './updates.js';

/** True when the requirements ask for a table to be created (contain assert-create). */
export function isCreateRequirements(requirements: readonly unknown[]): boolean {
  return parseList(requirements, 'requirements', parseTableRequirement).some((r) => r.type === 'assert-create');
}

function refSnapshotId(base: TableMetadata, name: string): { type: string; id: bigint } | undefined {
  const refs = get(base as unknown as Record<string, unknown>, 'refs');
  if (isObject(refs)) {
    const ref = get(refs, name);
    if (!isObject(ref)) return undefined;
    return { type: String(get(ref, 'type')), id: asLong(get(ref, 'snapshot-id'), `refs.${name}.snapshot-id`) };
  }
  // Metadata without refs: main is the current snapshot, if any.
  const current = get(base as unknown as Record<string, unknown>, 'current-snapshot-id');
  if (name === 'main' && current !== null && current !== undefined) {
    const id = asLong(current, 'current-snapshot-id');
    // -1 alone means "no current snapshot" (as Iceberg Java reads it); any other id is main's.
    if (id !== -1n) return { type: 'branch', id };
  }
  return undefined;
}

function check(base: TableMetadata, r: TableRequirement): void {
  switch (r.type) {
    case 'assert-create':
      throw commitConflict('Requirement failed: table already exists');
    case 'assert-table-uuid':
      if (r.uuid.toLowerCase() !== String(base['table-uuid']).toLowerCase()) {
        throw commitConflict(`Requirement failed: UUID does not match: expected ${base['table-uuid']} != ${r.uuid}`);
      }
      return;
    case 'assert-ref-snapshot-id': {
      const ref = refSnapshotId(base, r.ref);
      const expected = r['snapshot-id'];
      if (ref) {
        if (expected === null) {
          throw commitConflict(`Requirement failed: ${ref.type} ${r.ref} was created concurrently`);
        }
        if (BigInt(expected) !== ref.id) {
          throw commitConflict(`Requirement failed: ${ref.type} ${r.ref} has changed: expected id ${expected} != ${ref.id}`);
        }
      } else if (expected !== null) {
        throw commitConflict(`Requirement failed: branch or tag ${r.ref} is missing, expected ${expected}`);
      }
      return;
    }
    case 'assert-last-assigned-field-id':
      if (base['last-column-id'] !== r['last-assigned-field-id']) {
        throw commitConflict(`Requirement failed: last assigned field id changed: expected id ${r['last-assigned-field-id']} != ${base['last-column-id']}`);
      }
      return;
    case 'assert-current-schema-id':
      if (base['current-schema-id'] !== r['current-schema-id']) {
        throw commitConflict(`Requirement failed: current schema changed: expected id ${r['current-schema-id']} != ${base['current-schema-id']}`);
      }
      return;
    case 'assert-last-assigned-partition-id':
      if (base['last-partition-id'] !== r['last-assigned-partition-id']) {
        throw commitConflict(
          `Requirement failed: last assigned partition id changed: expected id ${r['last-assigned-partition-id']} != ${base['last-partition-id']}`,
        );
      }
      return;
    case 'assert-default-spec-id':
      if (base['default-spec-id'] !== r['default-spec-id']) {
        throw commitConflict(`Requirement failed: default partition spec changed: expected id ${r['default-spec-id']} != ${base['default-spec-id']}`);
      }
      return;
    case 'assert-default-sort-order-id':
      if (base['default-sort-order-id'] !== r['default-sort-order-id']) {
        throw commitConflict(`Requirement failed: default sort order changed: expected id ${r['default-sort-order-id']} != ${base['default-sort-order-id']}`);
      }
      return;
  }
}

/**
 * Checks untrusted requirements against the table's current metadata
 * (null: the table does not exist). assert-create passes only when the table
 * does not exist; every other requirement fails then. Combining assert-create
 * with other requirements is invalid (400), as in Iceberg's REST server.
 */
export function checkTableRequirements(base: TableMetadata | null, requirements: readonly unknown[]): void {
  const parsed = parseList(requirements, 'requirements', parseTableRequirement);
  if (base === null) {
    const isCreate = parsed.some((r) => r.type === 'assert-create');
    const others = parsed.filter((r) => r.type !== 'assert-create');
    if (isCreate && others.length > 0) {
      throw validation(`Invalid create requirements: ${others.map((r) => r.type).join(', ')}`);
    }
    if (others.length > 0) throw commitConflict(`Requirement failed: table does not exist (${others[0]?.type})`);
    return;
  }
  for (const r of parsed) check(base, r);
}
