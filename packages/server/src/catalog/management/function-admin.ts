/**
 * Functions (SQL UDFs, apache/iceberg#15180) through the management API: the spec defines no write operation, so
 * administrators put a function's whole metadata here and loadFunction answers it. Authorized like views, by the
 * function grants on the namespace (or warehouse): `function:create` to create, `function:replace` to replace,
 * `function:drop` to drop, `function:read` to read. Each method runs validate → authorize → execute; each change is
 * audited and recorded as an outbox change event (`function.created|replaced|dropped`) in its transaction.
 */
import { describeObject } from '../access/access-service.js';
import type { CatalogRequest, RequestScope, ServiceContext } from '../context.js';
import { checkName, checkNamespace, checkNewName, checkNewNamespace } from '../identifiers.js';
import { changeEvent } from '../outbox/changes.js';
import type { FunctionStore } from '../ports/functions.js';
import { checkFunctionMetadata } from '../functions/function-metadata.js';
import { FunctionService, functionNotFound, requireOnNamespace } from '../functions/function-service.js';

export class FunctionAdmin {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: FunctionStore,
  ) {}

  /** The function's metadata JSON (the management API answers it as loadFunction does). */
  async get(request: CatalogRequest, namespace: string[], name: string): Promise<string> {
    return new FunctionService(this.ctx, this.store).load(request, namespace, name);
  }

  /** Creates or replaces the function; answers the metadata stored. */
  async put(request: CatalogRequest, namespace: string[], name: string, input: unknown): Promise<{ created: boolean; metadataJson: string }> {
    // validate
    const levels = checkNewNamespace(namespace);
    checkNewName(name, 'function name');
    const scope = await this.ctx.scope(request);
    const existing = await this.store.get(scope.warehouse.name, levels, name);
    const now = this.ctx.clock.now();
    const metadata = checkFunctionMetadata(input, { uuid: existing?.uuid ?? this.ctx.newUuid(), nowMs: now });
    // authorize
    await requireOnNamespace(this.ctx, scope, levels, existing ? 'function:replace' : 'function:create', describeObject(scope.warehouse.name, levels, name));
    // execute
    const kind = existing ? 'function.replaced' : 'function.created';
    const event = changeEvent(this.ctx, scope.warehouse.name, scope.caller, {
      kind,
      namespace: levels,
      name,
      // Keyed (ordered) by the function's uuid, carried as `function-uuid`: `table-uuid` would name it a table.
      key: metadata.uuid,
      data: { 'function-uuid': metadata.uuid },
    });
    const outcome = await this.store.put(
      { warehouse: scope.warehouse.name, namespace: levels, name, uuid: metadata.uuid, metadataJson: metadata.json, createdAtMs: now, updatedAtMs: now },
      [event],
    );
    await this.audit(scope, outcome === 'created' ? 'function.created' : 'function.replaced', levels, name, { 'function-uuid': metadata.uuid });
    return { created: outcome === 'created', metadataJson: metadata.json };
  }

  async drop(request: CatalogRequest, namespace: string[], name: string): Promise<void> {
    // validate
    const levels = checkNamespace(namespace);
    checkName(name, 'function name');
    // authorize
    const scope = await this.ctx.scope(request);
    await requireOnNamespace(this.ctx, scope, levels, 'function:drop', describeObject(scope.warehouse.name, levels, name));
    // execute
    const existing = await this.store.get(scope.warehouse.name, levels, name);
    if (existing === undefined) throw functionNotFound(scope.warehouse.name, levels, name);
    const event = changeEvent(this.ctx, scope.warehouse.name, scope.caller, {
      kind: 'function.dropped',
      namespace: levels,
      name,
      key: existing.uuid,
      data: { 'function-uuid': existing.uuid },
    });
    if (!(await this.store.delete(scope.warehouse.name, levels, name, [event]))) throw functionNotFound(scope.warehouse.name, levels, name);
    await this.audit(scope, 'function.dropped', levels, name, { 'function-uuid': existing.uuid });
  }

  private async audit(scope: RequestScope, type: string, levels: string[], name: string, detail: Record<string, unknown>): Promise<void> {
    await this.ctx.audit.record(scope.caller, {
      type,
      decision: 'allow',
      action: type.replace('.', ':'),
      object: describeObject(scope.warehouse.name, levels, name),
      detail,
    });
  }
}
