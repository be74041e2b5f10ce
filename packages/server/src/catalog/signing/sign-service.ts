/**
 * Remote signing: an engine that holds no storage key sends each S3 request it is about to make, and gets it
 * back signed with the warehouse's key, which never leaves the server. What may be signed is decided at every
 * call by the caller's privileges on the table, as they are then: reads (GET, HEAD, a listing) need
 * `table:read-data`, writes (PUT, multipart uploads, DELETE, DeleteObjects) `table:write-data`, and every key the
 * request touches must lie inside the table's location. No write touches the catalog's own folder under it
 * (`<location>/_lakegate/`: the policy-enforced files restricted readers get), whoever asks (issue 53). A staged (CTAS) table is signable like its vended
 * credentials are: by whoever staged it (tables/credentials.ts).
 *
 * Cheap by construction, as engines call it once per storage request: the table is read through the store's
 * read caches and the privileges through the access service's decision cache (whose bound is documented in
 * docs/authorization.md, and which a grant change on this replica clears at once). Refusals are audited one by
 * one; allowed signatures once per caller, table and access per AUDIT_WINDOW_MS (an audit line per S3 request
 * would be the bulk of the log).
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { describeObject, forbidden } from '../access/access-service.js';
import type { SecurablePath } from '../ports/access.js';
import type { CatalogRequest, RequestScope } from '../context.js';
import { checkName, checkNamespace } from '../identifiers.js';
import { normalizedLocation } from '../locations.js';
import type { Caller, CatalogObjectRecord, StagedTableRecord, Warehouse } from '../ports/index.js';
import { requireStagedAccess } from '../tables/credentials.js';
import { type TableContext, resolveTable, tableNotFound, tableObject } from '../kit/table-kit.js';
import type { InspectedRequest, RequestSigner, SignedStorageRequest, StorageRequest } from '../ports/signing.js';
import { AuditWindow, auditKey } from './audit-window.js';
import { NameBag } from './name-bag.js';
import { CATALOG_FOLDER } from '../ports/credentials.js';
import { derivedPrefix, isDerivedFile } from '../policies/derived-location.js';
import { SignByLocation, noTableFor } from './sign-default.js';

export interface SignInput {
  region: unknown;
  uri: unknown;
  method: unknown;
  headers: unknown;
  body?: unknown;
  provider?: unknown;
}

/** A table's location as the key checks read it, and its audit window keys (SigningService.factsOf). */
interface TableFacts {
  inside: string;
  under: string;
  auditRead: string;
  auditWrite: string;
}

const AUDIT_WINDOW_MS = 60_000;
const MAX_AUDITED = 10_000;

export class SigningService {
  /** When each (caller, table, access) was last recorded as allowed. */
  private readonly audited = new AuditWindow(AUDIT_WINDOW_MS, MAX_AUDITED);
  private readonly byLocation: SignByLocation;
  private readonly facts = new WeakMap<CatalogObjectRecord, TableFacts>();

  constructor(
    private readonly ctx: TableContext,
    /** The warehouses of a tenant (for the unscoped endpoint, sign-default.ts). */
    warehousesOf: (tenant: string) => Promise<Warehouse[]> = async () => [],
  ) {
    this.byLocation = new SignByLocation(ctx, warehousesOf);
  }

  /** The table-scoped sign operation (POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/sign). */
  async sign(request: CatalogRequest, namespace: string[], name: string, input: SignInput): Promise<SignedStorageRequest> {
    // validate
    const levels = checkNamespace(namespace);
    checkName(name, 'table name');
    const storageRequest = checkSignInput(input);
    // What the caches already hold is taken without a promise (each await is a trip through the microtask queue, on
    // every storage request of an engine); the same caches, bounds and checks as the awaited calls.
    const scope = this.ctx.scopeCached?.(request) ?? (await this.ctx.scope(request));
    const object = tableObject(scope, levels, name);
    const { mechanisms, signer } = this.ctx.signing.signingCached?.(scope.warehouse) ?? (await this.signingOf(scope.warehouse));
    if (!signer || !mechanisms.includes('remote-signing'))
      return this.refuse(scope, object, `warehouse ${scope.warehouse.name} does not offer remote signing`, 'table:read-data');
    let inspected;
    try {
      inspected = signer.inspect(storageRequest);
    } catch (e) {
      if (e instanceof CatalogError) await this.record(scope, 'deny', 'table:read-data', object, { reason: e.message, method: storageRequest.method });
      throw e;
    }
    return this.signInTable(scope, levels, name, signer, inspected, object);
  }

  /**
   * sign()'s answer at once, without a promise, for the request that engines send over and over: everything it needs
   * already in the caches sign() reads (the warehouse, its signer, the namespace's ids, the decisions; the table read
   * where the store reads synchronously), allowed, its (caller, table, access) audited within the window, and header
   * signing. Undefined in every other case, refusals included: then sign() decides and audits exactly as always.
   * Both paths decide through the same checks (refusalOf) on the same cached state.
   */
  signCached(request: CatalogRequest, namespace: string[], name: string, input: SignInput): SignedStorageRequest | undefined {
    // validate (what throws here throws the same in sign(), before anything is read or recorded)
    const levels = checkNamespace(namespace);
    checkName(name, 'table name');
    const storageRequest = checkSignInput(input);
    const scope = this.ctx.scopeCached?.(request);
    const signing = scope && this.ctx.signing.signingCached?.(scope.warehouse);
    const signer = signing?.signer;
    if (scope === undefined || signer === undefined || !signing!.mechanisms.includes('remote-signing')) return undefined;
    let inspected: InspectedRequest;
    try {
      inspected = signer.inspect(storageRequest);
    } catch {
      return undefined;
    }
    if (inspected.presignSeconds !== undefined) return undefined;
    // authorize
    const namespacePath = this.ctx.access.namespacePathCached(scope.warehouse, levels);
    const record = namespacePath && this.ctx.store.repository.getObjectSync?.(scope.warehouse.name, levels, name);
    if (record === undefined || record.kind !== 'table') return undefined;
    // Only for a table known to have no row-filter or column-mask policy; sign() decides the others.
    if (!this.ctx.policies.knownFreeSync(scope.warehouse.tenant, record.id)) return undefined;
    const mode = this.ctx.access.vendingModeCached(scope, this.ctx.access.objectPath(namespacePath!.path, 'table', record.id));
    if (mode === undefined || mode === 'none') return undefined;
    const facts = this.factsOf(record);
    if (refusalOf(inspected, mode, facts.inside, facts.under) !== undefined) return undefined;
    // One reading of the clock for the audit window and the signature's time.
    const now = this.ctx.clock.now();
    if (!this.audited.recentByKey(scope.caller, inspected.access === 'write' ? facts.auditWrite : facts.auditRead, now)) return undefined;
    // execute
    const answer = signer.sign(inspected, new Date(now));
    if (!(answer instanceof Promise)) return answer;
    answer.catch(() => undefined);
    return undefined;
  }

  /**
   * What every sign of a table derives from its record, kept per record: getObjectSync answers the same frozen record
   * while the table is unchanged (and a new one after any change), so these go with it.
   */
  private factsOf(record: CatalogObjectRecord): TableFacts {
    let facts = this.facts.get(record);
    if (facts === undefined) {
      const inside = normalizedLocation(record.location);
      const object = describeObject(record.warehouse, record.namespace, record.name);
      facts = { inside, under: `${inside}/`, auditRead: auditKey(object, 'table:read-data'), auditWrite: auditKey(object, 'table:write-data') };
      this.facts.set(record, facts);
    }
    return facts;
  }

  private async signingOf(warehouse: Warehouse) {
    const [mechanisms, signer] = await Promise.all([this.ctx.signing.mechanisms(warehouse), this.ctx.signing.signerFor(warehouse)]);
    return { mechanisms, signer };
  }

  /**
   * The unscoped sign operation (POST /v1/aws/s3/sign, the default `s3.signer.endpoint` of Iceberg Java <= 1.10 and
   * PyIceberg): the table is found from the request's bucket and key (sign-default.ts), then decided as above. A
   * refusal never names a table the caller was not shown.
   */
  async signByLocation(caller: Caller, input: SignInput): Promise<SignedStorageRequest> {
    // validate
    const storageRequest = checkSignInput(input);
    const found = await this.byLocation.locate(caller, storageRequest);
    // authorize, execute
    try {
      return await this.signInTable(found.scope, found.namespace, found.name, found.signer, found.inspected);
    } catch (e) {
      // Denied: the same answer as a key under no table (the caller named a key, not this table).
      if (e instanceof CatalogError && (e.code === 'ERR_FORBIDDEN' || e.code === 'ERR_TABLE_NOT_FOUND')) throw noTableFor(found.location);
      throw e;
    }
  }

  /** Signs an inspected request for a table, if the caller's privileges on it allow and every key lies inside it. */
  private async signInTable(
    scope: RequestScope,
    levels: string[],
    name: string,
    signer: RequestSigner,
    inspected: InspectedRequest,
    object = tableObject(scope, levels, name),
  ): Promise<SignedStorageRequest> {
    const privilege = inspected.access === 'write' ? 'table:write-data' : 'table:read-data';
    // authorize
    const table = await this.resolve(scope, levels, name, privilege, object);
    const cached = this.ctx.access.vendingModeCached(scope, table.path);
    const mode = cached === undefined ? await this.ctx.access.vendingMode(scope, table.path) : cached === 'none' ? undefined : cached;
    const inside = normalizedLocation(table.location);
    const refusal = refusalOf(inspected, mode, inside, `${inside}/`);
    if (refusal === LACKS_PRIVILEGE) {
      await this.ctx.access.record(scope.caller, 'access.denied', 'deny', privilege, object, { lacking: [privilege], operation: inspected.operation });
      throw forbidden([privilege], object);
    }
    if (refusal !== undefined) return this.refuse(scope, object, refusal, privilege, inspected.operation);
    // A row-filter or column-mask policy that applies to the caller: only GETs and HEADs of its policy version's
    // derived files (what its plans hand out, planning/restricted.ts); nothing else of the table (policies/gate.ts).
    if (table.objectId !== undefined) await this.policyAllows(scope, table.objectId, inside, inspected, object, privilege);
    // execute
    // Header signing answers at once, and an allowed signature already audited in its window records nothing: no
    // await for either then (each one is a trip through the microtask queue, on every storage request of an engine).
    const answer = signer.sign(inspected, new Date(this.ctx.clock.now()));
    const signed = answer instanceof Promise ? await answer : answer;
    const recording = this.recordAllowed(scope, privilege, object, inspected.operation);
    if (recording !== undefined) await recording;
    return signed;
  }

  private async policyAllows(
    scope: RequestScope,
    objectId: string,
    inside: string,
    inspected: InspectedRequest,
    object: string,
    privilege: string,
  ): Promise<void> {
    const policy = await this.ctx.policies.effective(scope.caller, scope.warehouse.tenant, objectId);
    if (policy.policies.length === 0) return;
    const prefix = derivedPrefix(inside, policy.policyVersion ?? '');
    const derivedRead =
      inspected.access === 'read' &&
      DERIVED_READS.has(inspected.operation) &&
      inspected.locations.length > 0 &&
      inspected.locations.every((l) => isDerivedFile(l, prefix));
    if (!derivedRead) await this.ctx.policies.refuse(scope.caller, scope.warehouse.tenant, objectId, object, privilege);
  }

  /** The committed table of that name, else the staged one (only for whoever may still commit it). */
  private async resolve(scope: RequestScope, levels: string[], name: string, privilege: string, object: string) {
    // The namespace's ids from the cache when there, then one read of the table (through the store's read caches).
    const namespace = this.ctx.access.namespacePathCached(scope.warehouse, levels);
    const resolved = namespace === undefined ? await resolveTable(this.ctx, scope, levels, name) : await this.tableIn(scope, namespace.path, levels, name);
    const record: CatalogObjectRecord | undefined = resolved.record;
    if (record) return { location: record.location, path: this.ctx.access.objectPath(resolved.namespacePath, 'table', record.id), objectId: record.id };
    const staged: StagedTableRecord | undefined = await this.ctx.store.repository.getStagedTable(scope.warehouse.name, levels, name, this.ctx.clock.now());
    if (!staged)
      return this.ctx.access.notFoundOrForbidden(scope, resolved.namespacePath, privilege as 'table:read-data', object, () => tableNotFound(levels, name));
    await requireStagedAccess(this.ctx, scope, staged, resolved.namespacePath, object);
    return { location: staged.location, path: resolved.namespacePath, objectId: undefined };
  }

  /** resolveTable's answer for a namespace whose path is known (it exists). */
  private async tableIn(scope: RequestScope, namespacePath: SecurablePath, levels: string[], name: string) {
    const found = await this.ctx.store.repository.getObject(scope.warehouse.name, levels, name);
    return { namespacePath, record: found?.kind === 'table' ? found : undefined };
  }

  private async refuse(scope: RequestScope, object: string, reason: string, action: string, operation?: string): Promise<never> {
    await this.record(scope, 'deny', action, object, { reason, ...(operation ? { operation } : {}) });
    throw new CatalogError('ERR_FORBIDDEN', `Remote signing refused: ${reason}`);
  }

  private record(scope: RequestScope, decision: 'allow' | 'deny', action: string, object: string, detail: Record<string, unknown>): Promise<void> {
    return this.ctx.audit.record(scope.caller, { type: decision === 'deny' ? 'sign.refused' : 'sign.allowed', decision, action, object, detail });
  }

  /** The audit record of an allowed signature, or undefined when this (caller, table, access) was recorded within the window. */
  private recordAllowed(scope: RequestScope, action: string, object: string, operation: string): Promise<void> | undefined {
    if (!this.audited.claim(scope.caller, object, action, this.ctx.clock.now())) return undefined;
    return this.record(scope, 'allow', action, object, { operation, windowSeconds: AUDIT_WINDOW_MS / 1000 });
  }
}

/** What a restricted caller may have signed of its derived files: reading them, never listing. */
const DERIVED_READS = new Set(['GetObject', 'HeadObject']);

/** refusalOf's answer when the caller's privileges (its vending mode) do not allow the access. */
const LACKS_PRIVILEGE = Symbol('lacks privilege');

/**
 * The one decision of both sign paths: the vending mode allows the access, every key lies inside the table's
 * location (`inside`: its normalized form, normalizedLocation; `under`: that with a trailing "/"), and a write touches
 * nothing under its catalog folder (`<under>_lakegate/`). LACKS_PRIVILEGE, or why a key is refused; undefined when the
 * request may be signed.
 */
function refusalOf(
  inspected: InspectedRequest,
  mode: 'read' | 'read-write' | undefined,
  inside: string,
  under: string,
): string | typeof LACKS_PRIVILEGE | undefined {
  if (mode === undefined || (inspected.access === 'write' && mode !== 'read-write')) return LACKS_PRIVILEGE;
  for (const location of inspected.locations) {
    if (!location.startsWith(under)) return outsideReason(inspected.operation, location, inside, under);
  }
  if (inspected.access === 'write') {
    const own = `${under}${CATALOG_FOLDER}/`;
    for (const location of inspected.locations) {
      if (location.startsWith(own))
        return `${inspected.operation} touches ${location}, under ${own}, which only the catalog writes (its policy-enforced files)`;
    }
  }
  return undefined;
}

/**
 * Why a key or listing prefix is refused, in words that say what is wrong: the table's location itself without its
 * trailing "/" (a listing prefix) also matches every key that merely begins with it, such as a sibling table's
 * `<location>-copy/…`; a prefix of the location reaches beyond it; anything else lies outside it.
 */
function outsideReason(operation: string, location: string, inside: string, under: string): string {
  if (location === inside)
    return `${operation} touches ${location}: without its trailing "/" that prefix also matches keys beside the table (such as ${location}-copy/…); the table's keys are under ${under}`;
  if (inside.startsWith(location)) return `${operation} touches ${location}, a prefix that reaches beyond the table's location ${under}`;
  return `${operation} touches ${location}, outside the table's location ${under}`;
}

const SIGNED_METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE']);

/** The wire shapes were checked by the contract; this checks what it cannot say. */
function checkSignInput(input: SignInput): StorageRequest {
  const provider = input.provider === undefined || input.provider === null ? 's3' : input.provider;
  if (typeof provider !== 'string' || provider.toLowerCase() !== 's3') throw new CatalogError('ERR_BAD_REQUEST', 'Only the s3 provider is signed');
  if (typeof input.method !== 'string' || typeof input.uri !== 'string' || typeof input.region !== 'string')
    throw new CatalogError('ERR_BAD_REQUEST', 'method, uri and region must be strings');
  const method = input.method.toUpperCase();
  if (!SIGNED_METHODS.has(method)) throw new CatalogError('ERR_FORBIDDEN', `Remote signing refused: method ${method.slice(0, 16)} is not signed`);
  if (input.uri.length > 8192) throw new CatalogError('ERR_BAD_REQUEST', 'uri is too long');
  const headers = new NameBag<string[]>();
  if (typeof input.headers !== 'object' || input.headers === null || Array.isArray(input.headers))
    throw new CatalogError('ERR_BAD_REQUEST', 'headers must be an object of string lists');
  const sent = input.headers as Record<string, unknown>;
  // Plain loops: this runs on every storage request an engine makes.
  for (const name in sent) {
    const values = sent[name];
    if (!Array.isArray(values)) throw new CatalogError('ERR_BAD_REQUEST', 'headers must be an object of string lists');
    for (let i = 0; i < values.length; i++)
      if (typeof values[i] !== 'string') throw new CatalogError('ERR_BAD_REQUEST', 'headers must be an object of string lists');
    const lower = name.toLowerCase();
    const prev = headers[lower];
    headers[lower] = prev === undefined ? (values as string[]) : prev.concat(values as string[]);
  }
  if (input.body !== undefined && input.body !== null && typeof input.body !== 'string') throw new CatalogError('ERR_BAD_REQUEST', 'body must be a string');
  return { method, uri: input.uri, region: input.region, headers, body: typeof input.body === 'string' ? input.body : undefined };
}
