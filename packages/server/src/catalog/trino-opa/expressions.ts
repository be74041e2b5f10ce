/**
 * Row filters and column masks for Trino's OPA access control (issue 54): the user's effective policy on the table or
 * view Trino names (a view's policies are over the view's schema; policies/effective.ts, the same one the catalog-enforced path applies) written as Trino SQL (trino-sql.ts). A
 * filter or mask that cannot be written (a column type not handled yet, a column gone from the schema) fails closed:
 * the filter `FALSE`, the column masked to NULL, audited as `policy.engine-decision` with the reason. Every answer
 * that restricts is audited with the user, the engine, the table and the policies it came from.
 */
import { randomBytes } from 'node:crypto';
import type { TrinoOpaRequest, TrinoOpaResource, TrinoViewExpression } from '@lakegate/protocol';
import type { ServiceContext } from '../context.js';
import { BoundedMap } from '../bounded-map.js';
import type { IcebergType, Schema, StructField } from '../metadata/types.js';
import { bindFilter } from '../kit/expression.js';
import type { EffectivePolicy } from '../policies/effective.js';
import type { PolicyGate } from '../policies/gate.js';
import { followEffective, schemasOf } from '../policies/follow.js';
import type { Caller, CatalogObjectRecord } from '../ports/index.js';
import type { TrinoOpaDecisions, TrinoTableRef } from './decisions.js';
import { GROUPS_NAMED, type OpaSession } from './session.js';
import { elementsMaskSql, nullOf } from './trino-nested.js';
import { type ColumnPath, UnsupportedPolicy, maskSql, quoteIdentifier, rowFilterSql } from './trino-sql.js';

type TrinoColumn = NonNullable<TrinoOpaResource['column']>;

export class TrinoOpaExpressions {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly gate: PolicyGate,
    private readonly decisions: TrinoOpaDecisions,
  ) {}

  /** opa.policy.row-filters-uri: the user's row filter on the table ([] when none applies). */
  async rowFilters(engine: Caller, request: TrinoOpaRequest): Promise<{ result: TrinoViewExpression[] }> {
    // validate
    const t = request.input.action.resource?.table;
    // authorize: an engine that is no enforcer, or a user it may not act for, is filtered to nothing
    const session = await this.decisions.sessionOf(engine, request);
    if (!session?.known || t === undefined) return { result: [{ expression: 'FALSE' }] };
    // execute
    const table = await this.decisions.tableOf(session, t);
    if (table?.objectId === undefined) return { result: table ? [{ expression: 'FALSE' }] : [] };
    const { effective, schema, stale } = await this.policyOf(session, table);
    if (stale !== undefined) {
      await this.audited(session, table, effective, { kind: 'row-filter', failed: stale });
      return { result: [{ expression: 'FALSE' }] };
    }
    if (effective.rowFilter === undefined) return { result: [] };
    let expression: string;
    let failed: string | undefined;
    try {
      expression = rowFilterSql(bindFilter(effective.rowFilter, schema, false), pathsOf(schema));
    } catch (e) {
      [expression, failed] = ['FALSE', reasonOf(e)];
    }
    await this.audited(session, table, effective, { kind: 'row-filter', ...(failed ? { failed } : {}) });
    return { result: [{ expression }] };
  }

  /** opa.policy.column-masking-uri: the user's mask of one column (null when it is not masked). */
  async columnMask(engine: Caller, request: TrinoOpaRequest): Promise<{ result: TrinoViewExpression | null }> {
    const column = request.input.action.resource?.column;
    const masks = await this.masksOf(engine, request, column ? [column] : []);
    return { result: masks[0] ?? null };
  }

  /** opa.policy.batch-column-masking-uri: the masks of the columns listed, by index (the unmasked ones left out). */
  async batchColumnMasks(engine: Caller, request: TrinoOpaRequest): Promise<{ result: Array<{ index: number; viewExpression: TrinoViewExpression }> }> {
    const columns = (request.input.action.filterResources ?? []).map((r) => r.column);
    const masks = await this.masksOf(engine, request, columns);
    return { result: masks.flatMap((m, index) => (m ? [{ index, viewExpression: m }] : [])) };
  }

  /** One mask (or undefined) per column asked; every column is of one table in the plugin's requests. */
  private async masksOf(
    engine: Caller,
    request: TrinoOpaRequest,
    columns: ReadonlyArray<TrinoColumn | undefined>,
  ): Promise<Array<TrinoViewExpression | undefined>> {
    // validate
    const first = columns[0];
    if (
      first === undefined ||
      columns.some((c) => c === undefined || c.catalogName !== first.catalogName || c.schemaName !== first.schemaName || c.tableName !== first.tableName)
    )
      return columns.map(() => undefined);
    // authorize: an unknown user sees every column as NULL (it may read nothing anyway)
    const session = await this.decisions.sessionOf(engine, request);
    if (!session) return columns.map(() => undefined);
    if (!session.known) return columns.map((c) => ({ expression: safeNull(c!) }));
    // execute
    const table = await this.decisions.tableOf(session, first);
    if (table?.objectId === undefined) return columns.map(() => undefined);
    const { effective, schema, stale } = await this.policyOf(session, table);
    if (stale !== undefined) {
      await this.audited(session, table, effective, { kind: 'column-mask', columns: columns.map((c) => c!.columnName), failed: stale });
      return columns.map((c) => ({ expression: safeNull(c!) }));
    }
    if (effective.masks.length === 0) return columns.map(() => undefined);
    const querySalt = randomBytes(32);
    const failures: string[] = [];
    const answers = columns.map((c): TrinoViewExpression | undefined => {
      const field = schema.fields.find((f) => f.name.toLowerCase() === c!.columnName.toLowerCase());
      if (!field) return undefined;
      const inside = effective.masks.filter((m) => m.fieldId !== field.id && containsId(field.type, m.fieldId));
      const own = effective.masks.find((m) => m.fieldId === field.id);
      if (!own && inside.length === 0) return undefined;
      try {
        // A list's elements, a map's values or a struct's fields masked (at any depth): lambdas over the elements and
        // values, each struct rebuilt as a row of its fields with the masked ones replaced (trino-nested.ts).
        if (!own) {
          const byId = new Map(inside.map((m) => [m.fieldId, m]));
          const sql = elementsMaskSql(quoteIdentifier([c!.columnName]), field.type, byId, { querySalt });
          if (sql === undefined) throw new UnsupportedPolicy(`a mask of a field nested in ${field.name}`);
          return { expression: sql };
        }
        // A whole list, map or struct nulled: NULL of the Trino type its Iceberg type maps to (trino-nested.ts).
        if (typeof field.type !== 'string') return { expression: nullOf(field.type) };
        return { expression: maskSql(own, c!.columnName, c!.columnType, { querySalt, icebergType: field.type }) };
      } catch (e) {
        failures.push(reasonOf(e));
        return { expression: safeNull(c!) };
      }
    });
    await this.audited(session, table, effective, {
      kind: 'column-mask',
      columns: columns.filter((_c, i) => answers[i] !== undefined).map((c) => c!.columnName),
      ...(failures.length ? { failed: failures.join('; ') } : {}),
    });
    return answers;
  }

  private async policyOf(session: OpaSession, table: TrinoTableRef): Promise<{ effective: EffectivePolicy; schema: Schema; stale?: string }> {
    const effective = await this.gate.effective(session.user, table.warehouse.tenant, table.objectId!);
    if (effective.policies.length === 0) return { effective, schema: EMPTY_SCHEMA };
    // As the policies read against the current schema, by field id (policies/follow.ts): a policy that cannot is
    // answered FALSE (row filter) or NULL (every column asked) by the callers, never skipped.
    const schemas = currentSchemas(table.record!);
    try {
      return { effective: followEffective(effective, schemas), schema: schemas[0]! };
    } catch (e) {
      return { effective, schema: schemas[0]!, stale: reasonOf(e) };
    }
  }

  private async audited(session: OpaSession, table: TrinoTableRef, effective: EffectivePolicy, detail: Record<string, unknown>): Promise<void> {
    await this.ctx.audit.record(session.user, {
      type: 'policy.engine-decision',
      decision: 'allow',
      action: table.kind === 'view' ? 'view:read' : 'table:read-data',
      object: `${table.warehouse.name}.${table.namespace.join('.')}.${table.name}`,
      detail: {
        ...detail,
        user: session.user.description,
        engine: session.engine,
        ...groupsDetail(session.user.members.filter((m) => m.kind === 'group').map((m) => m.name)),
        policies: effective.policies.map((p) => p.id),
        'policy-version': effective.policyVersion,
      },
    });
  }
}

const EMPTY_SCHEMA: Schema = { type: 'struct', 'schema-id': 0, fields: [] } as unknown as Schema;
/**
 * The current schema of a table or view (policies/object-schema.ts), by metadata location: a metadata file never
 * changes, so its parsed schema is kept (up to 1,000 objects, then forgotten at once) instead of parsing the whole
 * metadata JSON for every decision.
 */
const schemas = new BoundedMap<string, Schema[]>({ maxEntries: 1000 });
function currentSchemas(record: CatalogObjectRecord): Schema[] {
  const kept = schemas.get(record.metadataLocation);
  if (kept !== undefined) return kept;
  const all = schemasOf(record);
  schemas.set(record.metadataLocation, all);
  return all;
}

/** The column as NULL of its type when the type is one Trino SQL may name here, else the literal NULL. */
function safeNull(c: TrinoColumn): string {
  try {
    return maskSql({ fieldId: 0, column: c.columnName, action: 'replace-with-null' }, c.columnName, c.columnType, { querySalt: new Uint8Array() });
  } catch {
    return 'NULL';
  }
}

/** The current column path of each field id (renamed columns keep their policies). */
function pathsOf(schema: Schema): ColumnPath {
  const paths = new Map<number, string[]>();
  const walk = (fields: readonly StructField[], prefix: string[]) => {
    for (const f of fields) {
      paths.set(f.id, [...prefix, f.name]);
      if (typeof f.type === 'object' && f.type.type === 'struct') walk(f.type.fields, [...prefix, f.name]);
    }
  };
  walk(schema.fields, []);
  return (id) => paths.get(id);
}

/** Whether a field id is nested in this type (a struct's field, a list's element, a map's key or value, at any depth). */
function containsId(type: IcebergType, id: number): boolean {
  if (typeof type === 'string') return false;
  if (type.type === 'struct') return type.fields.some((f) => f.id === id || containsId(f.type, id));
  if (type.type === 'list') return type['element-id'] === id || containsId(type.element, id);
  return type['key-id'] === id || type['value-id'] === id || containsId(type.key, id) || containsId(type.value, id);
}

/** The asserted groups of a decision's audit detail: the first GROUPS_NAMED by name, and their number. */
const groupsDetail = (groups: string[]): Record<string, unknown> =>
  groups.length <= GROUPS_NAMED ? { groups } : { groups: groups.slice(0, GROUPS_NAMED), 'groups-total': groups.length };

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e)).slice(0, 300);
