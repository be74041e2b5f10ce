/**
 * The unscoped sign endpoint, `POST /v1/aws/s3/sign`: what Iceberg Java <= 1.10 and PyIceberg 0.12 call when the
 * table config names no `s3.signer.endpoint` (a profile's `remote-signing-endpoint: default`). The request names
 * no warehouse and no table, so both are found from the storage request itself:
 * - the warehouse: among the caller's tenant's warehouses, the ones whose signer the URI is addressed to (endpoint
 *   and bucket) and whose storage roots hold the key (roots never overlap, warehouses.ts, so at most one holds it);
 * - the table: the one whose location is the longest prefix of the key (tables never overlap either,
 *   location-policy.ts checkNoOverlap: at most one table, committed or stage-created, holds a key).
 * Then the request is decided exactly as on the table's own endpoint (sign-service.ts). A key under no table is
 * refused (403, with the reason), and so is one under a table the caller may not sign for, with the same answer,
 * which names no table: the caller named a key, and must not learn which table holds it. Every refusal is audited.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { RequestScope } from '../context.js';
import { isAllowedLocation } from '../location-policy.js';
import { isUnderNormalized, normalizeLocation } from '../locations.js';
import type { Caller, Warehouse } from '../ports/index.js';
import type { TableContext } from '../kit/table-kit.js';
import type { InspectedRequest, RequestSigner, StorageRequest } from '../ports/signing.js';
import { type LocatedTable, TableLocationHints } from './table-locations.js';
import { BoundedMap } from '../bounded-map.js';

/** How long a tenant's list of warehouses is reused: a warehouse created since is found that much later (never a wrong one: each is re-read). */
const WAREHOUSE_LIST_MS = 5_000;

export interface LocatedRequest {
  scope: RequestScope;
  signer: RequestSigner;
  inspected: InspectedRequest;
  namespace: string[];
  name: string;
  /** The first location the request touches (what the table was found by). */
  location: string;
}

export const noTableFor = (location: string) =>
  new CatalogError(
    'ERR_FORBIDDEN',
    `Remote signing refused: ${location.slice(0, 1100)} lies in no table you may sign for (sign through the table's own endpoint, v1/{prefix}/namespaces/{namespace}/tables/{table}/sign)`,
  );

export class SignByLocation {
  private readonly lists: BoundedMap<string, string[]>;
  private readonly hints = new TableLocationHints();

  constructor(
    private readonly ctx: TableContext,
    private readonly warehousesOf: (tenant: string) => Promise<Warehouse[]>,
  ) {
    this.lists = new BoundedMap({ maxEntries: 1_000, ttlMs: WAREHOUSE_LIST_MS, now: () => ctx.clock.now() });
    ctx.coherence.on('warehouses', () => {
      this.lists.clear();
      this.hints.clear();
    });
  }

  async locate(caller: Caller, request: StorageRequest): Promise<LocatedRequest> {
    // What is not a storage request at all is a bad request, as on the table's endpoint (s3-sign-rules.ts).
    if (!/^https?:\/\/[^/?#]+(\/[^?#]*)?(\?[^#]*)?$/i.test(request.uri))
      throw new CatalogError('ERR_BAD_REQUEST', 'uri must be an absolute http(s) URI without a fragment');
    const candidates: Array<{ scope: RequestScope; signer: RequestSigner }> = [];
    for (const name of await this.warehouseNames(caller.tenant)) {
      let scope: RequestScope;
      try {
        // Re-read (cached, tenant-checked): a warehouse dropped since the list was read is skipped.
        scope = await this.ctx.scope({ caller, warehouse: name });
      } catch {
        continue;
      }
      const [mechanisms, signer] = await Promise.all([this.ctx.signing.mechanisms(scope.warehouse), this.ctx.signing.signerFor(scope.warehouse)]);
      if (signer && mechanisms.includes('remote-signing') && signer.addresses(request.uri)) candidates.push({ scope, signer });
    }
    if (candidates.length === 0) return this.refuse(caller, request, 'the uri is not addressed to the storage of a warehouse that signs requests');
    // Warehouses that share a bucket share its rules: the request is checked (and refused with the reason) by the first.
    let inspected: InspectedRequest;
    try {
      inspected = candidates[0]!.signer.inspect(request);
    } catch (e) {
      if (e instanceof CatalogError) await this.audit(caller, request, e.message);
      throw e;
    }
    const location = inspected.locations[0]!;
    for (const { scope, signer } of candidates) {
      if (!isAllowedLocation(scope.warehouse, location)) continue;
      // That warehouse's own rules (its region, say) also hold.
      const own = signer === candidates[0]!.signer ? inspected : signer.inspect(request);
      const table = await this.tableAt(scope.warehouse, location);
      if (!table) break;
      return { scope, signer, inspected: own, namespace: table.namespace as string[], name: table.name, location };
    }
    await this.audit(caller, request, `${location} lies in no table`);
    throw noTableFor(location);
  }

  /**
   * The committed or stage-created table whose location holds `location` (the longest such; tables never overlap):
   * the remembered one while it is still there (table-locations.ts), else looked up and remembered.
   */
  private async tableAt(warehouse: Warehouse, location: string): Promise<LocatedTable | undefined> {
    // The directories holding the key (or listing prefix: `t/` is held by the table at `t`), longest first, as the
    // adapter's rules left it: no empty, "." or ".." segment but a last empty one.
    const ancestors: string[] = [];
    for (let i = location.lastIndexOf('/'); i > location.indexOf('://') + 3; i = location.lastIndexOf('/', i - 1)) {
      const a = location.slice(0, i);
      if (isAllowedLocation(warehouse, a)) ancestors.push(a);
    }
    if (ancestors.length === 0) return undefined;
    const hint = this.hints.find(warehouse.name, ancestors);
    if (hint !== undefined) {
      if (await this.stillAt(warehouse, hint)) return hint;
      this.hints.forget(warehouse.name, hint.location);
    }
    const found = await this.lookUp(warehouse, ancestors);
    if (found !== undefined) this.hints.remember(warehouse.name, found);
    return found;
  }

  /** Whether the remembered table is still a table (or the staged one) at exactly that location. */
  private async stillAt(warehouse: Warehouse, hint: LocatedTable): Promise<boolean> {
    const repository = this.ctx.store.repository;
    const namespace = hint.namespace as string[];
    const current = hint.staged
      ? await repository.getStagedTable(warehouse.name, namespace, hint.name, this.ctx.clock.now())
      : await repository.getObject(warehouse.name, namespace, hint.name);
    if (current === undefined || ('kind' in current && current.kind !== 'table')) return false;
    // A committed table of that name now also wins over a staged one: look the key up again.
    if (hint.staged && (await repository.getObject(warehouse.name, namespace, hint.name)) !== undefined) return false;
    return sameLocation(current.location, hint.location);
  }

  private async lookUp(warehouse: Warehouse, ancestors: string[]): Promise<LocatedTable | undefined> {
    const repository = this.ctx.store.repository;
    const found = (await repository.findObjectsAtLocations(warehouse.name, ancestors)).filter((o) => o.kind === 'table');
    const committed = found.sort((a, b) => b.location.length - a.location.length)[0];
    if (committed) return { namespace: committed.namespace, name: committed.name, location: normalizeLocation(committed.location), staged: false };
    for (const staged of await repository.listStagedTableLocations(warehouse.name, this.ctx.clock.now())) {
      try {
        const at = normalizeLocation(staged.location);
        if (ancestors.some((a) => isUnderNormalized(at, a))) return { namespace: staged.namespace, name: staged.name, location: at, staged: true };
      } catch {
        // a stored location that no longer parses holds nothing
      }
    }
    return undefined;
  }

  private async warehouseNames(tenant: string): Promise<string[]> {
    const now = this.ctx.clock.now();
    const cached = this.lists.get(tenant, now);
    if (cached) return cached;
    const names = (await this.warehousesOf(tenant)).map((w) => w.name);
    this.lists.set(tenant, names, now);
    return names;
  }

  private async refuse(caller: Caller, request: StorageRequest, reason: string): Promise<never> {
    await this.audit(caller, request, reason);
    throw new CatalogError('ERR_FORBIDDEN', `Remote signing refused: ${reason}`);
  }

  private audit(caller: Caller, request: StorageRequest, reason: string): Promise<void> {
    return this.ctx.audit.record(caller, {
      type: 'sign.refused',
      decision: 'deny',
      action: 'table:read-data',
      object: 'v1/aws/s3/sign',
      detail: { reason, method: request.method },
    });
  }
}

/** Two stored locations name the same place (a location that no longer parses names none). */
function sameLocation(stored: string, normalized: string): boolean {
  try {
    return normalizeLocation(stored) === normalized;
  } catch {
    return false;
  }
}
