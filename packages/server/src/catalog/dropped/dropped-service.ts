/**
 * The dropped (soft-deleted) objects of a warehouse: listing them (`warehouse:list-dropped`), restoring one
 * (`warehouse:undrop`) under its own name or a new one, and the sweep that ends their retention (ports/maintenance.ts). Namespaces a
 * cascading drop took are listed with them (kind "namespace"), and undropped through dropped-namespaces.ts.
 *
 * A restored object keeps its catalog id, and with it the grants that named it and a Lance table's version history:
 * a drop and undrop is an undo, so everyone who could use the table can again (docs/authorization.md). The sweep
 * deletes the files of an object whose drop asked for that, through purge.ts's one rule (owned locations only, never
 * one another live object lives at or under), before it forgets the row, so a sweep that dies halfway is redone by
 * the next one, on this replica or another.
 */
import { changeEvent } from '../outbox/changes.js';
import { CatalogError, validation } from '../../errors/catalog-error.js';
import type { CatalogRequest, RequestScope, ServiceContext } from '../context.js';
import { checkLanceLevels, checkNamespace, checkNewName, formatIdentifier } from '../identifiers.js';
import type { Caller } from '../ports/index.js';
import { checkNoOverlap } from '../location-policy.js';
import { purgeLocation } from '../kit/purge.js';
import type { DroppedObjectRecord } from '../ports/maintenance.js';
import { namespaceView, undropNamespace } from './dropped-namespaces.js';
import type { DroppedNamespaceView, DroppedObjectView } from './dropped-views.js';

export interface DroppedListing {
  dropped: Array<DroppedObjectView | DroppedNamespaceView>;
  'next-page-token'?: string;
}

export interface SweepResult {
  /** Dropped objects whose retention ended and which were forgotten. */
  expired: number;
  /** Of those, how many had their files deleted (a purge the catalog may do: purge.ts). */
  purged: number;
  /** Objects deleted from storage. */
  objectsDeleted: number;
}

const MAX_PAGE = 1000;
const SWEEP_BATCH = 100;
/** Who the sweep acts as, in the audit trail and the events: the catalog itself. */
const SWEEPER: Caller = { tenant: '', description: 'system:drop-retention', key: 'system:drop-retention', members: [], admin: false, unrestricted: false };

const view = (r: DroppedObjectRecord): DroppedObjectView => ({
  id: r.object.id,
  kind: r.object.kind,
  namespace: r.object.namespace,
  name: r.object.name,
  location: r.object.location,
  'dropped-at-ms': r.droppedAtMs,
  'expires-at-ms': r.expiresAtMs,
  purge: r.purge,
  'dropped-by': r.droppedBy,
  ...(r.droppedWith !== undefined ? { 'dropped-with': r.droppedWith } : {}),
});

export class DroppedObjectService {
  constructor(private readonly ctx: ServiceContext) {}

  async list(request: CatalogRequest, pageToken: unknown, pageSize: unknown): Promise<DroppedListing> {
    // validate
    const after = pageToken === undefined || pageToken === '' ? undefined : decodeToken(pageToken);
    const limit = pageSize === undefined ? 100 : Number(pageSize);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw validation(`pageSize must be a whole number from 1 to ${MAX_PAGE}`);
    const scope = await this.ctx.scope(request);
    // authorize
    await this.ctx.access.require(scope, 'warehouse:list-dropped', this.ctx.access.warehousePath(scope.warehouse), {
      object: `${scope.warehouse.name}/dropped`,
    });
    // execute: those whose retention has ended are gone for every purpose but the sweep's.
    const now = this.ctx.clock.now();
    // Objects and namespaces, merged in one (droppedAtMs, id) order: each store pages by it, so limit + 1 of each suffice.
    const [objects, namespaces] = await Promise.all([
      this.ctx.store.dropped.list(scope.warehouse.name, { after, limit: limit + 1 }),
      this.ctx.store.droppedNamespaces.list(scope.warehouse.name, { after, limit: limit + 1 }),
    ]);
    const root = scope.warehouse.storageRoot;
    const rows = [
      ...objects.map((r) => ({ at: r.droppedAtMs, id: r.object.id, expiresAtMs: r.expiresAtMs, view: () => view(r) })),
      ...namespaces.map((r) => ({ at: r.droppedAtMs, id: r.namespace.id, expiresAtMs: r.expiresAtMs, view: () => namespaceView(r, root) })),
    ].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const page = rows.slice(0, limit);
    const listing: DroppedListing = { dropped: page.filter((r) => r.expiresAtMs > now).map((r) => r.view()) };
    const last = page.at(-1);
    if (rows.length > limit && last) listing['next-page-token'] = Buffer.from(JSON.stringify([last.at, last.id])).toString('base64url');
    return listing;
  }

  /** Restores a dropped object under `to` (default: the name it had); answers where it is now. */
  async undrop(request: CatalogRequest, idInput: unknown, body: unknown): Promise<DroppedObjectView | DroppedNamespaceView> {
    // validate
    if (typeof idInput !== 'string' || idInput.length === 0 || idInput.length > 200) throw validation('id must be the id of a dropped object');
    const to = checkTarget(body);
    const scope = await this.ctx.scope(request);
    // authorize
    const object = `${scope.warehouse.name}/dropped/${idInput}`;
    await this.ctx.access.require(scope, 'warehouse:undrop', this.ctx.access.warehousePath(scope.warehouse), { object, recordAllow: true });
    // execute
    const found = await this.ctx.store.dropped.get(scope.warehouse.name, idInput);
    const now = this.ctx.clock.now();
    if (!found) {
      const ns = await this.ctx.store.droppedNamespaces.get(scope.warehouse.name, idInput);
      if (ns && ns.expiresAtMs > now) return this.undropNamespace(scope, ns, to);
    }
    if (!found || found.expiresAtMs <= now)
      throw new CatalogError(
        'ERR_NOT_FOUND',
        `No dropped object ${idInput} in warehouse ${scope.warehouse.name} (never dropped here, restored already, or past its retention)`,
      );
    const target = { namespace: to.namespace ?? found.object.namespace, name: to.name ?? found.object.name };
    // A Lance table comes back on the Lance surface, which addresses no name holding "/" (identifiers.ts).
    if (found.object.kind === 'lance-table') checkLanceLevels([...target.namespace, target.name], "a Lance table's namespace and name");
    await this.checkRestorable(scope, found, target);
    const kind = found.object.kind === 'view' ? 'view.undropped' : found.object.kind === 'table' ? 'table.undropped' : 'lance-table.undropped';
    const event = changeEvent(this.ctx, scope.warehouse.name, scope.caller, {
      kind,
      namespace: target.namespace,
      name: target.name,
      uuid: found.object.uuid,
      data: {
        'dropped-object-id': found.object.id,
        ...(target.name !== found.object.name || target.namespace.join('\u001f') !== found.object.namespace.join('\u001f')
          ? { 'dropped-as': { namespace: found.object.namespace, name: found.object.name } }
          : {}),
      },
    });
    const outcome = await this.ctx.store.dropped.restore(scope.warehouse.name, idInput, target, now, [event]);
    if (outcome === 'missing')
      throw new CatalogError('ERR_NOT_FOUND', `No dropped object ${idInput} in warehouse ${scope.warehouse.name} (restored or expired meanwhile)`);
    if (outcome === 'exists') throw taken(found, target);
    return view({ ...found, object: { ...found.object, ...target } });
  }

  private async undropNamespace(
    scope: RequestScope,
    found: Parameters<typeof undropNamespace>[2],
    to: { namespace?: string[]; name?: string },
  ): Promise<DroppedNamespaceView> {
    return (await undropNamespace(this.ctx, scope, found, to)).view;
  }

  /** Ends the retention of every dropped object due by now (all warehouses): deletes the files a purge asked for, then forgets it. */
  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { expired: 0, purged: 0, objectsDeleted: 0 };
    const now = this.ctx.clock.now();
    for (;;) {
      const due = await this.ctx.store.dropped.due(now, SWEEP_BATCH);
      if (due.length === 0) return result;
      for (const r of due) {
        const o = r.object;
        const warehouse = await this.ctx.store.repository.getWarehouse(o.warehouse);
        if (warehouse && r.purge) {
          const deleted = await purgeLocation(this.ctx, { warehouse, caller: SWEEPER }, o);
          if (deleted !== undefined) {
            result.purged += 1;
            result.objectsDeleted += deleted;
          }
        }
        if (!(await this.ctx.store.dropped.forget(o.warehouse, o.id))) continue;
        if (o.kind === 'lance-table') await this.ctx.store.lanceVersions.deleteTable(o.id);
        await this.ctx.access.forgetSecurable({ kind: o.kind === 'view' ? 'view' : 'table', id: o.id });
        result.expired += 1;
        this.ctx.outcomes.report({
          type: 'object.expired',
          warehouse: o.warehouse,
          kind: o.kind,
          id: o.id,
          namespace: o.namespace,
          name: o.name,
          purged: r.purge,
        });
      }
      if (due.length < SWEEP_BATCH) break;
    }
    // Dropped namespaces: what they held has the same retention and went above; the namespace and its grants go now.
    for (;;) {
      const due = await this.ctx.store.droppedNamespaces.due(now, SWEEP_BATCH);
      for (const r of due) {
        const ns = r.namespace;
        if (!(await this.ctx.store.droppedNamespaces.forget(ns.warehouse, ns.id))) continue;
        await this.ctx.access.forgetSecurable({ kind: 'namespace', id: ns.id });
        result.expired += 1;
        this.ctx.outcomes.report({
          type: 'object.expired',
          warehouse: ns.warehouse,
          kind: 'namespace',
          id: ns.id,
          namespace: ns.levels.slice(0, -1),
          name: ns.levels.at(-1)!,
          purged: false,
        });
      }
      if (due.length < SWEEP_BATCH) return result;
    }
  }

  /** The target's namespace exists, and no live object sits at, under or around the object's location (a restore must not make two tables share files). */
  private async checkRestorable(scope: RequestScope, found: DroppedObjectRecord, target: { namespace: string[]; name: string }): Promise<void> {
    const repo = this.ctx.store.repository;
    if (!(await repo.getNamespace(scope.warehouse.name, target.namespace))) {
      const withNamespace = found.droppedWith === undefined ? undefined : await this.ctx.store.droppedNamespaces.get(scope.warehouse.name, found.droppedWith);
      if (withNamespace && target.namespace.join('\u001f') === found.object.namespace.join('\u001f')) {
        throw new CatalogError(
          'ERR_NAMESPACE_NOT_FOUND',
          `Namespace ${formatIdentifier(target.namespace)} was dropped with this object: undrop the dropped namespace ${withNamespace.namespace.id} (${formatIdentifier(withNamespace.namespace.levels)}) first, which restores this object with it, or restore into another namespace`,
        );
      }
      throw new CatalogError(
        'ERR_NAMESPACE_NOT_FOUND',
        `Namespace does not exist: ${formatIdentifier(target.namespace)} (create it, or restore into another namespace)`,
      );
    }
    if ((await repo.getObject(scope.warehouse.name, target.namespace, target.name)) !== undefined) throw taken(found, target);
    // Both directions, as for any new table (location-policy.ts): no live object at or inside its location, none around it.
    try {
      await checkNoOverlap(repo, scope.warehouse, found.object.location, { nowMs: this.ctx.clock.now(), view: found.object.kind === 'view' });
    } catch (e) {
      if (!(e instanceof CatalogError) || e.code !== 'ERR_VALIDATION') throw e;
      throw new CatalogError(
        found.object.kind === 'view' ? 'ERR_VIEW_EXISTS' : 'ERR_TABLE_EXISTS',
        `Another object now lives at, inside or around the dropped object's location ${found.object.location}; it cannot be restored beside it`,
      );
    }
  }
}

function taken(found: DroppedObjectRecord, target: { namespace: string[]; name: string }): CatalogError {
  return new CatalogError(
    found.object.kind === 'view' ? 'ERR_VIEW_EXISTS' : 'ERR_TABLE_EXISTS',
    `${formatIdentifier(target.namespace, target.name)} is taken: restore the dropped object under another name ({"name": "…"} in the request)`,
  );
}

function checkTarget(body: unknown): { namespace?: string[]; name?: string } {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw validation('the body must be an object with optional namespace and name');
  const { namespace, name, ...rest } = body as { namespace?: unknown; name?: unknown };
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw validation(`unknown field ${unknown[0]}: only namespace and name may be given`);
  return { ...(namespace !== undefined ? { namespace: checkNamespace(namespace) } : {}), ...(name !== undefined ? { name: checkNewName(name, 'name') } : {}) };
}

function decodeToken(token: unknown): { droppedAtMs: number; id: string } {
  try {
    if (typeof token !== 'string' || token.length > 400) throw new Error();
    const [droppedAtMs, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof droppedAtMs !== 'number' || !Number.isSafeInteger(droppedAtMs) || typeof id !== 'string') throw new Error();
    return { droppedAtMs, id };
  } catch {
    throw validation('pageToken is not one this listing gave out');
  }
}
