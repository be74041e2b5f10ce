/**
 * The batched filtering of Trino's OPA plugin (opa.policy.batched-uri: FilterSchemas, FilterTables and the other
 * schema- and table-level operations over `filterResources`; issue 54) at the cost of a few reads per request, not
 * per resource: a user listing `information_schema` of a large catalog makes Trino send tens of thousands of
 * tables in one request. The resources are grouped by catalog (warehouse) and schema (namespace); each warehouse
 * is resolved once, the namespaces' ids in one read per warehouse (from the access service's cache when it has
 * them), the tables and views of each namespace in one read (CatalogRepository.getObjectIds, chunked by the
 * store), and every distinct check of a warehouse goes to the Authorizer in one batched call (AccessDecisions.allows,
 * with its decision cache). The answers are those decide() gives one resource at a time (decisions.ts; the
 * equality is tested on large random batches), audit included: filtering records nothing, one by one or batched.
 *
 * Bound: the protocol admits at most 100,000 resources per request (a larger batch is a 400, never read); each
 * read (NAMES_PER_READ names) and authorization call (BATCH_CHUNK checks) here is chunked, so no single query or
 * check grows with the batch.
 */
import type { TrinoOpaResource } from '@lakegate/protocol';
import type { Privilege } from '../privileges.js';
import type { ServiceContext } from '../context.js';
import type { ObjectKind, Warehouse } from '../ports/index.js';
import type { Check } from '../ports/access-decisions.js';
import type { SecurablePath } from '../ports/access.js';
import type { OpaSession } from './session.js';

/** Checks per Authorizer call. */
export const BATCH_CHUNK = 10_000;
/** Names per namespace-id read (getNamespaceIds pads its list to a power of two: one compiled text per size). */
const NAMES_PER_READ = 1_024;

/** What a batched operation needs: on the schema, or on the table (and on a view of that name). */
export type BatchedNeed =
  { level: 'schema'; privilege: Privilege | 'any' } | { level: 'table'; table: Privilege | 'any' | undefined; view: Privilege | 'any' | undefined };

interface Resolution {
  /** The decision when it needs no authorization, else the check to ask. */
  answer?: boolean;
  check?: { warehouse: Warehouse; privilege: Privilege | 'any'; path: SecurablePath };
}

const INFORMATION_SCHEMA = 'information_schema';

export class BatchedFilter {
  private readonly warehouses = new Map<string, Promise<Warehouse | undefined>>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly session: OpaSession,
    private readonly warehouseOf: (session: OpaSession, catalog: string) => Promise<Warehouse | undefined>,
  ) {}

  /** The indices of the resources allowed, in order. */
  async filter(need: BatchedNeed, resources: readonly TrinoOpaResource[]): Promise<number[]> {
    const resolutions = await this.resolve(need, resources);
    const answers = await this.authorize(resolutions);
    return answers.flatMap((ok, i) => (ok ? [i] : []));
  }

  private warehouse(catalog: string): Promise<Warehouse | undefined> {
    let found = this.warehouses.get(catalog);
    if (found === undefined) this.warehouses.set(catalog, (found = this.warehouseOf(this.session, catalog)));
    return found;
  }

  /** Each resource's answer or check, with one namespace read per warehouse and one object read per namespace. */
  private async resolve(need: BatchedNeed, resources: readonly TrinoOpaResource[]): Promise<Resolution[]> {
    const out: Resolution[] = resources.map(() => ({ answer: false }));
    // catalog → schema → indices of the resources in it (and the table names they ask for).
    const groups = new Map<string, Map<string, number[]>>();
    resources.forEach((r, i) => {
      let schema: { catalogName: string; schemaName: string } | undefined;
      if (need.level === 'schema') schema = r.schema ?? (r.table ? { catalogName: r.table.catalogName, schemaName: r.table.schemaName } : undefined);
      else if (r.table !== undefined) schema = r.table;
      if (schema === undefined) return;
      let schemas = groups.get(schema.catalogName);
      if (schemas === undefined) groups.set(schema.catalogName, (schemas = new Map()));
      let indices = schemas.get(schema.schemaName);
      if (indices === undefined) schemas.set(schema.schemaName, (indices = []));
      indices.push(i);
    });
    for (const [catalog, schemas] of groups) {
      const information = schemas.get(INFORMATION_SCHEMA);
      if (information !== undefined && need.level === 'table') {
        // As decide(): the tables of information_schema are the catalog's to read, by its declared name alone.
        const readable = need.table === 'any' || need.table === 'table:read-data' || need.table === 'table:read-metadata';
        const answer = readable && this.session.catalogs.has(catalog);
        for (const i of information) out[i] = { answer };
        schemas.delete(INFORMATION_SCHEMA);
      }
      const warehouse = await this.warehouse(catalog);
      if (warehouse === undefined) continue;
      if (information !== undefined && need.level === 'schema') {
        for (const i of information) out[i] = { answer: need.privilege === 'any' };
        schemas.delete(INFORMATION_SCHEMA);
      }
      const ids = await this.namespaceIds(warehouse, [...schemas.keys()]);
      for (const [schema, indices] of schemas) {
        const id = ids.get(schema);
        if (id === undefined) continue;
        const path: SecurablePath = { warehouse: warehouse.name, namespaces: [id] };
        if (need.level === 'schema') {
          for (const i of indices) out[i] = { check: { warehouse, privilege: need.privilege, path } };
          continue;
        }
        const objects = await this.ctx.store.repository.getObjectIds(
          warehouse.name,
          [schema],
          indices.map((i) => resources[i]!.table!.tableName),
        );
        for (const i of indices) {
          const object = objects.get(resources[i]!.table!.tableName);
          const privilege = object === undefined ? undefined : privilegeOf(need, object.kind);
          if (object === undefined || privilege === undefined) continue;
          out[i] = { check: { warehouse, privilege, path: this.ctx.access.objectPath(path, object.kind as 'table' | 'view', object.id) } };
        }
      }
    }
    return out;
  }

  /** The ids of the one-level namespaces of those names that exist: from the access service's cache, the rest in one read. */
  private async namespaceIds(warehouse: Warehouse, schemas: readonly string[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    const unknown: string[] = [];
    for (const schema of schemas) {
      const cached = this.ctx.access.namespacePathCached(warehouse, [schema]);
      if (cached !== undefined && !cached.missing) ids.set(schema, cached.path.namespaces[0]!);
      else unknown.push(schema);
    }
    for (let start = 0; start < unknown.length; start += NAMES_PER_READ) {
      const chunk = unknown.slice(start, start + NAMES_PER_READ);
      const found = await this.ctx.store.repository.getNamespaceIds(
        warehouse.name,
        chunk.map((s) => [s]),
      );
      // getNamespaceIds answers by encoded namespace: a one-level namespace's encoding is its name.
      for (const schema of chunk) {
        const id = found.get(schema);
        if (id !== undefined) ids.set(schema, id);
      }
    }
    return ids;
  }

  /** The answers: each distinct check once, in one Authorizer call per warehouse (chunked). */
  private async authorize(resolutions: readonly Resolution[]): Promise<boolean[]> {
    const answers = resolutions.map((r) => r.answer ?? false);
    const byWarehouse = new Map<string, { warehouse: Warehouse; checks: Check[]; keys: Map<string, number>; of: Array<[number, number]> }>();
    resolutions.forEach((r, i) => {
      if (r.check === undefined) return;
      const { warehouse, privilege, path } = r.check;
      let group = byWarehouse.get(warehouse.name);
      if (group === undefined) byWarehouse.set(warehouse.name, (group = { warehouse, checks: [], keys: new Map(), of: [] }));
      const key = `${privilege}\u0000${path.namespaces.join('\u0000')}\u0000${path.object?.kind ?? ''}\u0000${path.object?.id ?? ''}`;
      let at = group.keys.get(key);
      if (at === undefined) {
        group.keys.set(key, (at = group.checks.length));
        group.checks.push({ privilege, path });
      }
      group.of.push([i, at]);
    });
    for (const { warehouse, checks, of } of byWarehouse.values()) {
      const decided: boolean[] = [];
      for (let start = 0; start < checks.length; start += BATCH_CHUNK)
        decided.push(...(await this.ctx.access.allows({ warehouse, caller: this.session.user }, checks.slice(start, start + BATCH_CHUNK))));
      for (const [i, at] of of) answers[i] = decided[at]!;
    }
    return answers;
  }
}

function privilegeOf(need: Extract<BatchedNeed, { level: 'table' }>, kind: ObjectKind): Privilege | 'any' | undefined {
  if (kind === 'view') return need.view;
  if (kind === 'table') return need.table;
  return undefined;
}
