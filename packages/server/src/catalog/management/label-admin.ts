/**
 * Catalog-supplied labels of tables and views through the management API (issue 58; the model:
 * catalog/ports/labels.ts). Reading them needs what loading the object needs (they are in its load answer anyway);
 * setting and removing them need the admin role of the warehouse's tenant: labels are the catalog's statement about
 * an object (owner, classification), not its writers'. Each method runs validate → authorize → execute; each change
 * is audited and recorded as an outbox change event (`table.labels-set`, `view.labels-set`) in its transaction.
 */
import { CatalogError, validation } from '../../errors/catalog-error.js';
import { describeObject } from '../access/access-service.js';
import type { CatalogRequest, RequestScope, ServiceContext } from '../context.js';
import { checkName, checkNamespace } from '../identifiers.js';
import type { FieldLabels, LabelStore, ObjectLabels } from '../ports/labels.js';
import { changeEvent } from '../outbox/changes.js';
import type { CatalogObjectRecord } from '../ports/index.js';

export type LabelledKind = 'table' | 'view';

/** Bounds the wire schema also states (protocol's iceberg/labels.ts); checked here too, for callers past the HTTP edge. */
const MAX_LABELS = 100;
const MAX_FIELDS = 1_000;
const MAX_KEY = 256;
const MAX_VALUE = 4_096;

export class LabelAdmin {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: LabelStore,
  ) {}

  async get(request: CatalogRequest, kind: LabelledKind, namespace: string[], name: string): Promise<ObjectLabels> {
    // validate
    const levels = checkNamespace(namespace);
    checkName(name, `${kind} name`);
    // authorize: what loading the object needs (a missing one is a 404 only to a caller who may see the namespace)
    const scope = await this.ctx.scope(request);
    const privilege = kind === 'table' ? 'table:read-metadata' : 'view:read';
    const object = describeObject(scope.warehouse.name, levels, name);
    const ns = await this.ctx.access.namespacePath(scope.warehouse, levels);
    const record = ns.missing ? undefined : await this.ctx.store.repository.getObject(scope.warehouse.name, levels, name);
    if (record?.kind !== kind) return this.ctx.access.notFoundOrForbidden(scope, ns.path, privilege, object, () => notFound(kind, object));
    await this.ctx.access.require(scope, privilege, this.ctx.access.objectPath(ns.path, kind, record.id), { object });
    // execute
    const json = await this.store.get(record.id);
    return json === undefined ? {} : (JSON.parse(json) as ObjectLabels);
  }

  /** Replaces the object's labels; an empty Labels object removes them. */
  async set(request: CatalogRequest, kind: LabelledKind, namespace: string[], name: string, input: unknown): Promise<ObjectLabels> {
    // validate
    const levels = checkNamespace(namespace);
    checkName(name, `${kind} name`);
    const labels = checkLabels(input);
    // authorize
    const scope = await this.ctx.scope(request);
    await this.requireAdmin(scope, kind, levels, name);
    // execute
    const record = await this.objectOf(scope, kind, levels, name);
    await this.write(scope, kind, record, labels);
    return labels;
  }

  async remove(request: CatalogRequest, kind: LabelledKind, namespace: string[], name: string): Promise<void> {
    const levels = checkNamespace(namespace);
    checkName(name, `${kind} name`);
    const scope = await this.ctx.scope(request);
    await this.requireAdmin(scope, kind, levels, name);
    const record = await this.objectOf(scope, kind, levels, name);
    await this.write(scope, kind, record, {});
  }

  private async write(scope: RequestScope, kind: LabelledKind, record: CatalogObjectRecord, labels: ObjectLabels): Promise<void> {
    const empty = labels['object-labels'] === undefined && labels.fields === undefined;
    const event = changeEvent(this.ctx, scope.warehouse.name, scope.caller, {
      kind: kind === 'table' ? 'table.labels-set' : 'view.labels-set',
      namespace: record.namespace,
      name: record.name,
      uuid: record.uuid,
      data: { labels },
    });
    await this.store.put(record.id, empty ? undefined : JSON.stringify(labels), this.ctx.clock.now(), [event]);
    await this.ctx.audit.record(scope.caller, {
      type: 'labels.set',
      decision: 'allow',
      action: `${kind}:labels`,
      object: describeObject(scope.warehouse.name, record.namespace, record.name),
      detail: { kind, 'object-labels': Object.keys(labels['object-labels'] ?? {}).length, fields: labels.fields?.length ?? 0 },
    });
  }

  private async requireAdmin(scope: RequestScope, kind: LabelledKind, levels: string[], name: string): Promise<void> {
    if (scope.caller.unrestricted || (await this.ctx.access.isAdmin(scope.caller))) return;
    const object = describeObject(scope.warehouse.name, levels, name);
    await this.ctx.audit.record(scope.caller, { type: 'labels.denied', decision: 'deny', action: `${kind}:labels`, object, detail: { kind } });
    throw new CatalogError('ERR_FORBIDDEN', `setting the labels of ${kind} ${object} needs the admin role of the tenant`);
  }

  private async objectOf(scope: RequestScope, kind: LabelledKind, levels: string[], name: string): Promise<CatalogObjectRecord> {
    const record = await this.ctx.store.repository.getObject(scope.warehouse.name, levels, name);
    if (record?.kind !== kind) throw notFound(kind, describeObject(scope.warehouse.name, levels, name));
    return record;
  }
}

const notFound = (kind: LabelledKind, object: string): CatalogError =>
  kind === 'table'
    ? new CatalogError('ERR_TABLE_NOT_FOUND', `Table does not exist: ${object}`)
    : new CatalogError('ERR_VIEW_NOT_FOUND', `View does not exist: ${object}`);

/** A Labels object, in canonical form (empty maps and lists dropped, fields by field id), or a 400 saying what is wrong. */
export function checkLabels(input: unknown): ObjectLabels {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw validation('labels: a JSON object with "object-labels" and/or "fields"');
  const body = input as Record<string, unknown>;
  for (const key of Object.keys(body))
    if (key !== 'object-labels' && key !== 'fields') throw validation(`labels: unknown field ${JSON.stringify(key).slice(0, 64)}`);
  const out: ObjectLabels = {};
  const objectLabels = body['object-labels'] === undefined ? {} : labelMap(body['object-labels'], 'object-labels');
  if (Object.keys(objectLabels).length > 0) out['object-labels'] = objectLabels;
  if (body.fields !== undefined) {
    if (!Array.isArray(body.fields)) throw validation('labels: fields must be a list');
    if (body.fields.length > MAX_FIELDS) throw validation(`labels: at most ${MAX_FIELDS} fields`);
    const seen = new Set<number>();
    const fields: FieldLabels[] = [];
    for (const [i, f] of body.fields.entries()) {
      if (typeof f !== 'object' || f === null || Array.isArray(f)) throw validation(`labels: fields[${i}] must be an object`);
      const entry = f as Record<string, unknown>;
      const id = entry['field-id'];
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 2147483647) throw validation(`labels: fields[${i}].field-id must be a field id`);
      if (seen.has(id)) throw validation(`labels: field-id ${id} is listed twice`);
      seen.add(id);
      const map = labelMap(entry.labels, `fields[${i}].labels`);
      if (Object.keys(map).length > 0) fields.push({ 'field-id': id, labels: map });
    }
    if (fields.length > 0) out.fields = fields.sort((a, b) => a['field-id'] - b['field-id']);
  }
  return out;
}

function labelMap(value: unknown, where: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw validation(`labels: ${where} must be an object of strings`);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_LABELS) throw validation(`labels: ${where} has more than ${MAX_LABELS} labels`);
  const out: Record<string, string> = {};
  for (const [key, v] of entries) {
    if (key.length === 0 || key.length > MAX_KEY) throw validation(`labels: ${where} keys are 1 to ${MAX_KEY} characters`);
    if (typeof v !== 'string') throw validation(`labels: ${where}.${key.slice(0, 64)} must be a string`);
    if (v.length > MAX_VALUE) throw validation(`labels: ${where}.${key.slice(0, 64)} is longer than ${MAX_VALUE} characters`);
    out[key] = v;
  }
  return out;
}
