/**
 * A Lance table's policies follow Lance's own field ids (issue 53 on Lance, as an Iceberg table's follow its field
 * ids: policies/follow.ts). The field ids the catalog gives a Lance schema are positions (policy-columns.ts), which a
 * column dropped or added renumbers, and the Lance library in tree does not show Lance's own; but every version's
 * manifest lists its schema's fields with them (versions/manifest-file.ts manifestSchemaFields), and Lance keeps a
 * field's id across a rename and gives a column added again a new one.
 *
 *  - When a policy on a Lance table is created or updated, each column it names (a mask's column, a filter's term, as
 *    a dotted path) is recorded with Lance's id of that field in the version the policy was checked against
 *    (`Policy.lanceFields`).
 *  - At a restricted read of version V, each recorded column is found by its id in V's manifest: renamed, the policy
 *    follows (its filter's terms and its masks' columns take the new path, and the derived dataset is written by it);
 *    gone (dropped, or dropped and added again under the same name, a new id), the read fails closed: the 422 of a
 *    column that is gone (policy-columns.ts goneColumn), no data handed out.
 *  - A policy stored before this (no `lanceFields`), or a path that no manifest field has (none expected: every path
 *    a policy may name is one), is bound by name at the read as before. It is not given ids at a later read: by then
 *    the name may already be another column's (the case the ids are for), so only a create or update records them.
 *
 * Paths: a struct's field `<struct>.<name>`; a list's child (Lance names it `item`) `<list>.element`; a map's entries
 * struct is not named, its key and value are `<map>.key` and `<map>.value` (the names fieldIdsByPath gives).
 * Framework-free and pure.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { LanceColumn } from '../ports/lance-policy.js';
import type { EffectivePolicy, LanceFieldRef, Policy } from '../ports/policies.js';
import { combine } from '../policies/effective.js';
import { eachPredicate, renameTerms } from '../policies/filter-predicates.js';
import { goneColumn } from './policy-columns.js';
import type { LanceManifestField } from './versions/manifest-file.js';

/** A table's latest version as its policies are shown against it: Lance's fields, and the columns a restricted read binds to (policy-reads.ts latestShape). */
export interface LatestLanceShape {
  fields: LanceManifestField[];
  /** Undefined where the Lance library cannot run here. */
  columns: LanceColumn[] | undefined;
}

/** Each field's path (as above) with Lance's id of it; a path two fields share, or a field under an unknown parent, is left out. */
export function nativeIdsByPath(fields: readonly LanceManifestField[]): Map<string, number> {
  const byId = new Map(fields.map((f) => [f.id, f]));
  const paths = new Map<number, string | null>();
  const join = (at: string | null, name: string) => (at === null ? null : `${at}.${name}`);
  const pathOf = (f: LanceManifestField, depth: number): string | null => {
    if (paths.has(f.id)) return paths.get(f.id)!;
    let path: string | null = null;
    if (f.parentId < 0) path = f.name;
    else {
      const parent = byId.get(f.parentId);
      const grand = parent === undefined || parent.parentId < 0 ? undefined : byId.get(parent.parentId);
      if (parent === undefined || depth > 64) path = null;
      else if (/^(large_)?list|^fixed_size_list/.test(parent.logicalType)) path = join(pathOf(parent, depth + 1), 'element');
      // A map's entries struct is no path of its own: its key and value are the map's.
      else if (parent.logicalType === 'map') path = null;
      else if (grand?.logicalType === 'map') path = join(pathOf(grand, depth + 2), f.name);
      else path = join(pathOf(parent, depth + 1), f.name);
    }
    paths.set(f.id, path);
    return path;
  };
  const out = new Map<string, number>();
  const shared = new Set<string>();
  for (const f of fields) {
    const path = pathOf(f, 0);
    if (path === null) continue;
    if (out.has(path)) shared.add(path);
    out.set(path, f.id);
  }
  for (const path of shared) out.delete(path);
  return out;
}

/** The columns a policy names (its masks' columns, its filter's terms), each with Lance's id of it where the manifest has the path. */
export function lanceFieldsOf(columns: Iterable<string>, byPath: ReadonlyMap<string, number>): LanceFieldRef[] {
  const out: LanceFieldRef[] = [];
  for (const column of new Set(columns)) {
    const id = byPath.get(column);
    if (id !== undefined) out.push({ column, id });
  }
  return out;
}

/** Each policy as it reads against the version whose manifest fields are `fields` (see the opening comment); throws the 422 of a gone column. */
export function followLance(effective: EffectivePolicy, fields: readonly LanceManifestField[]): EffectivePolicy {
  if (!effective.policies.some((p) => p.lanceFields !== undefined && p.lanceFields.length > 0)) return effective;
  const byPath = nativeIdsByPath(fields);
  const pathById = new Map([...byPath].map(([path, id]) => [id, path]));
  return combine(effective.policies.map((p) => followOne(p, pathById)));
}

function followOne(p: Policy, pathById: ReadonlyMap<number, string>): Policy {
  if (p.lanceFields === undefined || p.lanceFields.length === 0) return p;
  const renamed = new Map<string, string>();
  for (const ref of p.lanceFields) {
    const now = pathById.get(ref.id);
    if (now === undefined)
      throw goneColumn(
        `${p.kind === 'row-filter' ? 'row filter column' : 'masked column'} ${ref.column} (Lance field id ${ref.id}; dropped, or dropped and added again)`,
      );
    renamed.set(ref.column, now);
  }
  if ([...renamed].every(([was, is]) => was === is)) return p;
  return {
    ...p,
    ...(p.filter !== undefined ? { filter: renameTerms(p.filter, renamed) } : {}),
    ...(p.masks !== undefined ? { masks: p.masks.map((m) => ({ ...m, column: renamed.get(m.column) ?? m.column })) } : {}),
    lanceFields: p.lanceFields.map((r) => ({ column: renamed.get(r.column)!, id: r.id })),
  };
}

/**
 * Each policy as GET and list show it against a version's fields (management/policy-admin.ts): followed by Lance's ids
 * (its columns' current names), or the 422 its restricted reads get there (a column dropped, or dropped and added
 * again). A policy stored before the ids, and any name no id recorded, is checked by name: the path must be there.
 * One walk of the manifest's fields for all the policies of a table.
 */
export function followLanceEach(policies: readonly Policy[], fields: readonly LanceManifestField[]): Array<Policy | CatalogError> {
  const byPath = nativeIdsByPath(fields);
  const pathById = new Map([...byPath].map(([path, id]) => [id, path]));
  return policies.map((p) => {
    try {
      const followed = followOne(p, pathById);
      for (const column of (followed.masks ?? []).map((m) => m.column)) if (!byPath.has(column)) throw goneColumn(`masked column ${column}`);
      eachPredicate(followed.filter, ({ term }) => {
        if (term !== undefined && !byPath.has(term)) throw goneColumn(`row filter column ${term}`);
      });
      return followed;
    } catch (e) {
      if (e instanceof CatalogError) return e;
      throw e;
    }
  });
}
