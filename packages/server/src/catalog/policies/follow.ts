/**
 * A stored policy follows the schema by field id (issue 53: "an Iceberg expression … over field ids, evolving with
 * the schema"). A row filter is kept as written (the spec's expression JSON names columns) with `filterTerms`, each
 * term's field id when it was written; every enforcing path binds the filter as it reads against the schema it
 * binds to (the table's current one, or a scan's), each term renamed to its field's name there. So a renamed column
 * keeps its policy, and a column added later under a policy's old name never takes the policy over. A mask names
 * its column by field id already; its shown name follows the same way.
 *
 * A field id the schema no longer has (a column dropped where the commit check, refuseUnfitSchema, did not run:
 * a federated table changed at its remote, a policy stored before it) or a column whose type no longer suits the policy fails closed: the read is refused (403) naming the policy,
 * never answered unfiltered. A policy stored before `filterTerms` (field ids only, sorted) is resolved lazily: its
 * names are bound in each of the table's schemas (the current first, then the older ones metadata keeps) where they
 * name exactly its stored field ids; all such schemas must agree on each name's id, else the read fails closed too.
 */
import { CatalogError, validation } from '../../errors/catalog-error.js';
import { parseJson } from '../json.js';
import type { Schema, TableMetadata, ViewMetadata } from '../metadata/types.js';
import type { CatalogObjectRecord, PolicyEnforcement } from '../ports/index.js';
import { formatIdentifier } from '../identifiers.js';
import type { EffectivePolicy, FilterTerm, Policy } from '../ports/policies.js';
import { bindFilter, bindTerm } from '../kit/expression.js';
import { combine } from './effective.js';
import { eachPredicate, renameTerms } from './filter-predicates.js';
import { literalTypeChange } from './literal-types.js';
import { fieldById } from './nested.js';
import { tableSchemaList } from './object-schema.js';
import { checkMasks } from './rules.js';

/** Each distinct term of a filter and the field id it binds to in `schema` (what a new or updated policy stores). */
export function filterTermsOf(filter: unknown, schema: Schema): FilterTerm[] {
  bindFilter(filter, schema, true); // the 400 of a filter that does not bind: then each predicate's term binds
  const terms = new Map<string, number>();
  eachPredicate(filter, (p) => terms.set(p.term!, bindTerm(p.node.term, schema, true).id));
  return [...terms].map(([term, fieldId]) => ({ term, fieldId }));
}

/** The schemas a policy may be resolved with: the object's current one first, then the older ones it keeps. */
export function schemasOf(record: Pick<CatalogObjectRecord, 'kind' | 'metadataJson'>): Schema[] {
  const metadata = parseJson(record.metadataJson) as TableMetadata | ViewMetadata;
  return record.kind === 'view' ? viewSchemas(metadata as ViewMetadata) : tableSchemas(metadata as TableMetadata);
}

/** A view's schemas, its current version's first, then the others newest first. */
export function viewSchemas(view: Pick<ViewMetadata, 'versions' | 'current-version-id' | 'schemas'>): Schema[] {
  const currentId = view.versions.find((v) => v['version-id'] === view['current-version-id'])?.['schema-id'];
  return ordered(view.schemas, currentId, 'view');
}

/** A table's schemas, its current one first, then the older ones newest first (object-schema.ts tableSchemaList). */
export function tableSchemas(metadata: Pick<TableMetadata, 'schemas' | 'current-schema-id' | 'schema'>): Schema[] {
  const { schemas, currentId } = tableSchemaList(metadata);
  return ordered(schemas, currentId, 'table');
}

function ordered(schemas: readonly Schema[], currentId: number | undefined, kind: string): Schema[] {
  const current = schemas.find((s) => s['schema-id'] === currentId);
  if (!current) throw new CatalogError('ERR_UNPROCESSABLE', `The ${kind} metadata has no current schema`);
  return [current, ...schemas.filter((s) => s !== current).reverse()];
}

/**
 * The policy as it reads against `schemas[0]`: its filter's terms and its masks' columns by their names there,
 * `filterTerms` by those names (so it can follow again, to a scan's schema). The older schemas only resolve a policy
 * stored before `filterTerms`. Throws the fail-closed error (403, naming the policy).
 */
export function followPolicy(policy: Policy, schemas: readonly Schema[]): Policy {
  // Kept per (policy, schema) object: the gate's cached policies and a metadata file's parsed schema are the same
  // objects from call to call, so a plan or an engine's decision binds each policy once (binding a filter over a wide
  // schema costs about 0.2 ms). A policy stored before filterTerms depends on the older schemas too: never kept.
  const independent = policy.filter === undefined || policy.filterTerms !== undefined;
  const kept = independent ? followed.get(policy)?.get(schemas[0]!) : undefined;
  if (kept instanceof CatalogError) throw kept;
  if (kept !== undefined) return kept;
  let answer: Policy | CatalogError;
  try {
    answer = follow(policy, schemas);
  } catch (e) {
    if (!(e instanceof CatalogError)) throw e;
    answer = e;
  }
  if (independent) {
    let bySchema = followed.get(policy);
    if (bySchema === undefined) followed.set(policy, (bySchema = new WeakMap()));
    bySchema.set(schemas[0]!, answer);
  }
  if (answer instanceof CatalogError) throw answer;
  return answer;
}

const followed = new WeakMap<Policy, WeakMap<Schema, Policy | CatalogError>>();

function follow(policy: Policy, schemas: readonly Schema[]): Policy {
  const schema = schemas[0]!;
  let next = policy;
  if (policy.filter !== undefined) {
    const ids = termIds(policy, schemas);
    const renamed = new Map<string, string>();
    for (const [term, id] of ids) {
      const field = fieldOf(schema, id);
      if (field === undefined) throw stale(policy, `its row filter's column '${term}' (field id ${id}) is no longer in the schema`);
      renamed.set(term, field);
    }
    const filter = renameTerms(policy.filter, renamed);
    try {
      bindFilter(filter, schema, true);
    } catch (e) {
      throw stale(policy, `its row filter no longer binds to the schema (${reason(e)})`);
    }
    next = { ...next, filter, filterTerms: [...ids].map(([term, fieldId]) => ({ term: renamed.get(term)!, fieldId })) };
  }
  if (policy.masks !== undefined && policy.masks.length > 0) {
    const masks = policy.masks.map((m) => {
      if (fieldOf(schema, m.fieldId) === undefined) throw stale(policy, `its masked column '${m.column}' (field id ${m.fieldId}) is no longer in the schema`);
      try {
        return { ...m, column: checkMasks([{ 'field-id': m.fieldId, action: m.action, value: m.value }], schema)[0]!.column };
      } catch (e) {
        throw stale(policy, `its mask of '${m.column}' (field id ${m.fieldId}) no longer suits the column (${reason(e)})`);
      }
    });
    next = { ...next, masks };
  }
  return next;
}

/** The effective policy as it reads against `schemas[0]` (see followPolicy); its policy version is unchanged. */
export function followEffective(effective: EffectivePolicy, schemas: readonly Schema[]): EffectivePolicy {
  if (effective.policies.length === 0) return effective;
  return combine(effective.policies.map((p) => followPolicy(p, schemas)));
}

/**
 * A table commit that changes the current schema, against the table's policies: one that would no longer apply (a
 * column it names dropped, a type its filter or mask no longer suits) refuses the commit (400, naming the policy), as
 * a view's replace is refused (refuseMovedViewPolicies); a rename is not, the policy follows it.
 */
export async function refuseUnfitSchema(
  enforcement: Pick<PolicyEnforcement, 'policiesOn'>,
  tenant: string,
  record: Pick<CatalogObjectRecord, 'id' | 'namespace' | 'name'>,
  base: TableMetadata,
  next: TableMetadata,
): Promise<void> {
  if (next['current-schema-id'] === base['current-schema-id']) return;
  const policies = await enforcement.policiesOn(tenant, record.id);
  if (policies.length === 0) return;
  const schemas = tableSchemas(next);
  const was = tableSchemas(base)[0]!;
  const table = formatIdentifier(record.namespace, record.name);
  for (const p of policies) {
    try {
      followPolicy(p, schemas);
    } catch (e) {
      throw unfit(p, table, 'the new schema', whyOf(e));
    }
    const changed = literalTypeChange(p, was, schemas[0]!);
    if (changed !== undefined) throw unfit(p, table, 'the new schema', changed);
  }
}

/** The 400 of a change a policy does not fit (refuseUnfitSchema, refuseMovedPolicies), naming the policy. */
function unfit(p: Pick<Policy, 'id' | 'kind'>, table: string, what: string, why: string): CatalogError {
  return validation(`${p.kind} policy ${p.id} on table ${table} does not fit ${what} (${why.slice(0, 300)}): update or delete the policy first`);
}

/** Why a policy did not follow: the fail-closed error's own reason (stale), else the error's message. */
export const whyOf = (e: unknown): string => (e instanceof CatalogError ? (e.details?.why ?? e.message) : reason(e));

/**
 * A register-table overwrite (tables/register.ts) against the table's policies: the new metadata file's writer chose
 * its field ids, so (as for a view's replace, refuseMovedViewPolicies) each policy must still name the columns it names
 * now (or, for one that no longer applies, as stored): the same names for the same field ids, of types it suits. A
 * file that would move a policy to other columns, or leave it none, is refused (400, naming the policy), never
 * registered to fail restricted reads closed or to filter and mask what the policy never named. True when the table
 * has policies (the caller then swaps only from the metadata checked).
 */
export async function refuseMovedPolicies(
  enforcement: Pick<PolicyEnforcement, 'policiesOn'>,
  tenant: string,
  record: Pick<CatalogObjectRecord, 'id' | 'namespace' | 'name' | 'metadataJson'>,
  next: TableMetadata,
): Promise<boolean> {
  const policies = await enforcement.policiesOn(tenant, record.id);
  if (policies.length === 0) return false;
  const table = formatIdentifier(record.namespace, record.name);
  const refuse = (p: Pick<Policy, 'id' | 'kind'>, why: string) => unfit(p, table, 'the registered metadata', why);
  let before: Schema[] | undefined;
  try {
    before = schemasOf({ kind: 'table', metadataJson: record.metadataJson });
  } catch {
    before = undefined;
  }
  let after: Schema[];
  try {
    after = tableSchemas(next);
  } catch (e) {
    throw refuse(policies[0]!, reason(e));
  }
  for (const p of policies) {
    const why = movedWhy(p, before, after) ?? (before === undefined ? undefined : literalTypeChange(p, before[0]!, after[0]!));
    if (why !== undefined) throw refuse(p, why);
  }
  return true;
}

/**
 * A view's replace (views.ts) against the view's policies, as refuseMovedPolicies checks a registered table's: the
 * replace's writer chose the new schema's field ids, so a policy that would then name other columns than it names
 * now (or none, or of types it no longer suits) refuses the replace (400, naming the policy; update or delete it first).
 */
export function refuseMovedViewPolicies(policies: readonly Policy[], base: ViewMetadata, next: ViewMetadata, view: string): void {
  if (policies.length === 0) return;
  let before: Schema[] | undefined;
  try {
    before = viewSchemas(base);
  } catch {
    before = undefined;
  }
  const after = viewSchemas(next);
  for (const p of policies) {
    const why = movedWhy(p, before, after);
    if (why !== undefined)
      throw validation(`policy ${p.id} on view ${view} does not fit the new schema (${why.slice(0, 300)}): update or delete the policy first`);
  }
}

/**
 * Why a policy would name other columns in `after` than in `before` (as stored where it is stale on `before`, or with no
 * `before`): it does not follow to `after`, or its field ids name other columns there. Undefined when it names the same.
 */
function movedWhy(p: Policy, before: readonly Schema[] | undefined, after: readonly Schema[]): string | undefined {
  let now: Policy;
  try {
    now = followPolicy(p, after);
  } catch (e) {
    return whyOf(e);
  }
  let then: Policy = p;
  try {
    if (before !== undefined) then = followPolicy(p, before);
  } catch {
    // Stale on the object as it is: what it names as stored.
  }
  const [was, is] = [columnsOf(then), columnsOf(now)];
  if (was.join('\u0000') === is.join('\u0000')) return undefined;
  return `its field ids would name the columns ${is.join(', ').slice(0, 120)}, not ${was.join(', ').slice(0, 120)}`;
}

/** The columns a (followed) policy names, as `name (field id)`: its filter's terms, then its masks' columns. */
function columnsOf(p: Policy): string[] {
  const terms = (p.filterTerms ?? []).map((t) => `'${t.term}' (${t.fieldId})`).sort();
  return [...terms, ...(p.masks ?? []).map((m) => `'${m.column}' (${m.fieldId})`)];
}

/** The name → field id of each term of a stored row filter (see the opening comment for a policy stored before them). */
function termIds(policy: Policy, schemas: readonly Schema[]): Map<string, number> {
  if (policy.filterTerms !== undefined) return new Map(policy.filterTerms.map((t) => [t.term, t.fieldId]));
  const want = (policy.fieldIds ?? []).join(',');
  let found: Map<string, number> | undefined;
  for (const schema of schemas) {
    let terms: FilterTerm[];
    try {
      terms = filterTermsOf(policy.filter, schema);
    } catch {
      continue;
    }
    if ([...new Set(terms.map((t) => t.fieldId))].sort((a, b) => a - b).join(',') !== want) continue;
    const ids = new Map(terms.map((t) => [t.term, t.fieldId]));
    if (found !== undefined && [...ids].some(([term, id]) => found!.get(term) !== id))
      throw stale(policy, "its row filter's names meant different columns in the table's schemas over time; update the policy to say which");
    found ??= ids;
  }
  if (found === undefined) throw stale(policy, "its row filter's columns are not in the table's schemas as they were when it was written");
  return found;
}

/** A field's (dotted) name in the schema, undefined when the schema has no such field id. */
function fieldOf(schema: Schema, id: number): string | undefined {
  try {
    return fieldById(schema, id)?.name;
  } catch {
    // A map's key: never a filter's term nor a mask's column.
    return undefined;
  }
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 300);

/** The fail-closed refusal: the policy cannot be applied as written to this schema. */
export function stale(policy: Pick<Policy, 'id' | 'kind'>, why: string): CatalogError {
  return new CatalogError(
    'ERR_FORBIDDEN',
    `${policy.kind} policy ${policy.id} cannot be applied to the table's current schema: ${why}; restricted reads are refused until the policy is updated or deleted`,
    { details: { policies: policy.id, why } },
  );
}
