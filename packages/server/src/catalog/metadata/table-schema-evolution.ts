/**
 * The part of the table metadata builder that evolves identity, format and
 * structure: the table uuid, the format version, schemas, partition specs and
 * sort orders, each bound to and checked against the current schema with
 * Iceberg Java's rules (ids of equivalent structures are reused, "-1" means
 * the one added last).
 */
import { illegalArgument, validation } from '../../errors/catalog-error.js';
import { IdIndex } from './id-index.js';
import { bindPartitionSpec, hasSequentialIds, lastAssignedFieldId, specKey, UNPARTITIONED_LAST_ASSIGNED_ID } from './partition-spec.js';
import { checkSchemaCompatibility, indexSchema, schemaKey, withSchemaId, type SchemaIndex } from './schema.js';
import { checkSortOrderCompatibility, INITIAL_SORT_ORDER_ID, orderKey, UNSORTED_ORDER_ID } from './sort-order.js';
import { LAST_ADDED, MAX_TABLE_FORMAT_VERSION, nextId } from './table-format.js';
import { TableState } from './table-state.js';
import type { PartitionSpec, Schema, SortOrder } from './types.js';
import type { PartitionSpecInput, SortOrderInput } from './change-types.js';

export abstract class TableSchemaEvolution extends TableState {
  /** Equivalent schemas, specs and orders by key, so each add is one lookup (id-index.ts). */
  private readonly schemaIds = new IdIndex<Schema>(schemaKey, (s) => s['schema-id']);
  private readonly specIds = new IdIndex<PartitionSpec>(specKey, (s) => s['spec-id']);
  private readonly orderIds = new IdIndex<SortOrder>(orderKey, (o) => o['order-id']);

  // ------------------------------------------------------------ identity and format

  assignUuid(uuid: string): this {
    if (uuid.toLowerCase() === this.uuid.toLowerCase()) return this;
    if (this.base !== null) throw illegalArgument(`Cannot reassign uuid: ${this.uuid} to ${uuid}`);
    this.uuid = uuid;
    this.changes.push({ action: 'assign-uuid', uuid });
    return this;
  }

  upgradeFormatVersion(version: number): this {
    if (version > MAX_TABLE_FORMAT_VERSION) {
      throw illegalArgument(`Cannot upgrade table to unsupported format version: v${version} (supported: v${MAX_TABLE_FORMAT_VERSION})`);
    }
    if (version < this.formatVersion) {
      throw illegalArgument(`Cannot downgrade v${this.formatVersion} table to v${version}`);
    }
    if (version === this.formatVersion) return this;
    this.formatVersion = version;
    this.changes.push({ action: 'upgrade-format-version', 'format-version': version });
    return this;
  }

  // ------------------------------------------------------------ schemas

  private currentSchemaIndex(what: string): SchemaIndex {
    const schema = this.schemas.find((s) => s['schema-id'] === this.currentSchemaId);
    if (!schema) throw validation(`Cannot add ${what}: the table has no current schema`);
    if (this.schemaIndexCache?.schema !== schema) {
      this.schemaIndexCache = { id: schema['schema-id'], schema, index: indexSchema(schema) };
    }
    return this.schemaIndexCache.index;
  }

  /** Adds a schema, reusing the id of an identical existing schema. Returns the schema id. */
  addSchema(schema: Schema): number {
    const highest = indexSchema(schema).highestFieldId;
    // A client's last-column-id is only a hint (deprecated in the REST spec): as Iceberg Java does, the
    // table's counter moves to the schema's highest field id, never to a value the client names.
    const newLastColumnId = Math.max(this.lastColumnId, highest);
    checkSchemaCompatibility(schema, this.formatVersion);

    const same = this.schemaIds.find(this.schemas, schemaKey(schema));
    const reused = same !== undefined;
    const newSchemaId = same ?? this.schemaIds.nextFree(this.schemas, this.currentSchemaId, 'schema');

    if (reused && newLastColumnId === this.lastColumnId) {
      // Identical schema already present: nothing changes, but "-1" now means this schema.
      this.lastAddedSchemaId = newSchemaId;
      return newSchemaId;
    }

    this.lastColumnId = newLastColumnId;
    const added = withSchemaId(schema, newSchemaId);
    if (!reused) {
      this.schemas.push(added);
      this.schemaIds.added(this.schemas, added);
    }
    this.changes.push({ action: 'add-schema', schema: added });
    this.lastAddedSchemaId = newSchemaId;
    return newSchemaId;
  }

  setCurrentSchema(schemaId: number): this {
    if (schemaId === LAST_ADDED) {
      if (this.lastAddedSchemaId === undefined) throw validation('Cannot set last added schema: no schema has been added');
      return this.setCurrentSchema(this.lastAddedSchemaId);
    }
    if (this.currentSchemaId === schemaId) return this;
    if (!this.schemaIds.has(this.schemas, schemaId)) {
      throw illegalArgument(`Cannot set current schema to unknown schema: ${schemaId}`);
    }
    this.currentSchemaId = schemaId;
    this.changes.push({ action: 'set-current-schema', 'schema-id': schemaId });
    return this;
  }

  removeSchemas(schemaIds: number[]): this {
    const remove = new Set(schemaIds);
    if (remove.has(this.currentSchemaId)) throw illegalArgument('Cannot remove the current schema');
    const kept = this.schemas.filter((s) => !remove.has(s['schema-id']));
    if (kept.length !== this.schemas.length) {
      const removed = this.schemas.filter((s) => remove.has(s['schema-id'])).map((s) => s['schema-id']);
      this.schemas = kept;
      this.changes.push({ action: 'remove-schemas', 'schema-ids': removed });
    }
    return this;
  }

  // ------------------------------------------------------------ partition specs

  /** Adds a spec bound to the current schema, reusing the id of an equivalent spec. Returns the spec id. */
  addPartitionSpec(input: PartitionSpecInput, path = 'spec'): number {
    const schema = this.currentSchemaIndex('a partition spec');
    // Missing field ids: v1 numbers fields positionally from 1000 (as Iceberg Java does);
    // v2+ continues after every id the table (or this spec) has ever used, so ids never clash.
    const v1 = this.formatVersion === 1;
    let counter = v1
      ? UNPARTITIONED_LAST_ASSIGNED_ID
      : input.fields.reduce((max, f) => Math.max(max, f['field-id'] ?? max), Math.max(this.lastPartitionId, UNPARTITIONED_LAST_ASSIGNED_ID));
    const withIds: PartitionSpecInput = {
      fields: input.fields.map((f) => {
        const given = f['field-id'];
        if (given !== undefined) {
          if (v1) counter = Math.max(counter, given);
          return f;
        }
        counter = nextId(counter, 'partition field');
        return { ...f, 'field-id': counter };
      }),
    };
    const next = (): number => (counter = nextId(counter, 'partition field'));
    const bound = bindPartitionSpec(withIds, 0, schema, next, path);

    const same = this.specIds.find(this.specs, specKey(bound));
    if (same !== undefined) {
      this.lastAddedSpecId = same;
      return same;
    }
    const newSpecId = this.specIds.nextFree(this.specs, 0, 'partition spec');
    if (this.formatVersion === 1 && !hasSequentialIds(bound)) {
      throw validation(`Invalid ${path}: spec does not use sequential ids that are required in v1`);
    }
    const spec: PartitionSpec = { 'spec-id': newSpecId, fields: bound.fields };
    this.lastPartitionId = Math.max(this.lastPartitionId, lastAssignedFieldId(spec));
    this.specs.push(spec);
    this.specIds.added(this.specs, spec);
    this.changes.push({ action: 'add-spec', spec });
    this.lastAddedSpecId = newSpecId;
    return newSpecId;
  }

  setDefaultPartitionSpec(specId: number): this {
    if (specId === LAST_ADDED) {
      if (this.lastAddedSpecId === undefined) throw validation('Cannot set last added spec: no spec has been added');
      return this.setDefaultPartitionSpec(this.lastAddedSpecId);
    }
    if (this.defaultSpecId === specId) return this;
    if (!this.specIds.has(this.specs, specId)) {
      throw illegalArgument(`Cannot set default partition spec to unknown spec: ${specId}`);
    }
    this.defaultSpecId = specId;
    this.changes.push({ action: 'set-default-spec', 'spec-id': specId });
    return this;
  }

  removeSpecs(specIds: number[]): this {
    const remove = new Set(specIds);
    if (remove.has(this.defaultSpecId)) throw illegalArgument('Cannot remove the default partition spec');
    const kept = this.specs.filter((s) => !remove.has(s['spec-id']));
    if (kept.length !== this.specs.length) {
      const removed = this.specs.filter((s) => remove.has(s['spec-id'])).map((s) => s['spec-id']);
      this.specs = kept;
      this.changes.push({ action: 'remove-partition-specs', 'spec-ids': removed });
    }
    return this;
  }

  // ------------------------------------------------------------ sort orders

  /** Adds a sort order bound to the current schema, reusing the id of an identical order. Returns the order id. */
  addSortOrder(input: SortOrderInput, path = 'sort-order'): number {
    const schema = this.currentSchemaIndex('a sort order');
    let newOrderId: number;
    let reused = false;
    if (input.fields.length === 0) {
      newOrderId = UNSORTED_ORDER_ID;
      reused = this.orderIds.has(this.sortOrders, UNSORTED_ORDER_ID);
    } else {
      const same = this.orderIds.find(this.sortOrders, orderKey(input));
      reused = same !== undefined;
      newOrderId = same ?? this.orderIds.nextFree(this.sortOrders, INITIAL_SORT_ORDER_ID, 'sort order');
    }
    if (reused) {
      this.lastAddedOrderId = newOrderId;
      return newOrderId;
    }
    checkSortOrderCompatibility(input, schema, path);
    const order: SortOrder = { 'order-id': newOrderId, fields: input.fields };
    this.sortOrders.push(order);
    this.orderIds.added(this.sortOrders, order);
    this.changes.push({ action: 'add-sort-order', 'sort-order': order });
    this.lastAddedOrderId = newOrderId;
    return newOrderId;
  }

  setDefaultSortOrder(orderId: number): this {
    if (orderId === LAST_ADDED) {
      if (this.lastAddedOrderId === undefined) {
        throw validation('Cannot set last added sort order: no sort order has been added');
      }
      return this.setDefaultSortOrder(this.lastAddedOrderId);
    }
    if (this.defaultSortOrderId === orderId) return this;
    if (!this.orderIds.has(this.sortOrders, orderId)) {
      throw illegalArgument(`Cannot set default sort order to unknown sort order: ${orderId}`);
    }
    this.defaultSortOrderId = orderId;
    this.changes.push({ action: 'set-default-sort-order', 'sort-order-id': orderId });
    return this;
  }
}
