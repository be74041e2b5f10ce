/**
 * The part of the table metadata builder that evolves identity, format and
 * structure: the table uuid, the format version, schemas, partition specs and
 * sort orders, each bound to and checked against the current schema with
 * Iceberg Java's rules (ids of equivalent structures are reused, "-1" means
 * the one added last).
 */
import { illegalArgument, validation } from '../../errors/catalog-error.js';
import {
  bindPartitionSpec,
  compatibleSpecs,
  hasSequentialIds,
  lastAssignedFieldId,
  UNPARTITIONED_LAST_ASSIGNED_ID,
} from './partition-spec.js';
import { checkSchemaCompatibility, indexSchema, sameSchema, withSchemaId, type SchemaIndex } from './schema.js';
import { checkSortOrderCompatibility, INITIAL_SORT_ORDER_ID, sameOrder, UNSORTED_ORDER_ID } from './sort-order.js';
import { LAST_ADDED, MAX_TABLE_FORMAT_VERSION, nextId } from './table-format.js';
import { TableState } from './table-state.js';
import type { PartitionSpec, PartitionSpecInput, Schema, SortOrder, SortOrderInput } from './types.js';

export abstract class TableSchemaEvolution extends TableState {
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
      throw illegalArgument(
        `Cannot upgrade table to unsupported format version: v${version} (supported: v${MAX_TABLE_FORMAT_VERSION})`,
      );
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

    let newSchemaId = this.currentSchemaId;
    let reused = false;
    for (const existing of this.schemas) {
      if (sameSchema(existing, schema)) {
        newSchemaId = existing['schema-id'];
        reused = true;
        break;
      }
      if (existing['schema-id'] >= newSchemaId) newSchemaId = nextId(existing['schema-id'], 'schema');
    }

    if (reused && newLastColumnId === this.lastColumnId) {
      // Identical schema already present: nothing changes, but "-1" now means this schema.
      this.lastAddedSchemaId = newSchemaId;
      return newSchemaId;
    }

    this.lastColumnId = newLastColumnId;
    const added = withSchemaId(schema, newSchemaId);
    if (!reused) this.schemas.push(added);
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
    if (!this.schemas.some((s) => s['schema-id'] === schemaId)) {
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
      : input.fields.reduce(
          (max, f) => Math.max(max, f['field-id'] ?? max),
          Math.max(this.lastPartitionId, UNPARTITIONED_LAST_ASSIGNED_ID),
        );
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

    let newSpecId = 0;
    let reused = false;
    for (const existing of this.specs) {
      if (compatibleSpecs(existing, bound)) {
        newSpecId = existing['spec-id'];
        reused = true;
        break;
      }
      if (newSpecId <= existing['spec-id']) newSpecId = nextId(existing['spec-id'], 'partition spec');
    }
    if (reused) {
      this.lastAddedSpecId = newSpecId;
      return newSpecId;
    }
    if (this.formatVersion === 1 && !hasSequentialIds(bound)) {
      throw validation(`Invalid ${path}: spec does not use sequential ids that are required in v1`);
    }
    const spec: PartitionSpec = { 'spec-id': newSpecId, fields: bound.fields };
    this.lastPartitionId = Math.max(this.lastPartitionId, lastAssignedFieldId(spec));
    this.specs.push(spec);
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
    if (!this.specs.some((s) => s['spec-id'] === specId)) {
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
      reused = this.sortOrders.some((o) => o['order-id'] === UNSORTED_ORDER_ID);
    } else {
      newOrderId = INITIAL_SORT_ORDER_ID;
      for (const existing of this.sortOrders) {
        if (sameOrder(existing, input)) {
          newOrderId = existing['order-id'];
          reused = true;
          break;
        }
        if (newOrderId <= existing['order-id']) newOrderId = nextId(existing['order-id'], 'sort order');
      }
    }
    if (reused) {
      this.lastAddedOrderId = newOrderId;
      return newOrderId;
    }
    checkSortOrderCompatibility(input, schema, path);
    const order: SortOrder = { 'order-id': newOrderId, fields: input.fields };
    this.sortOrders.push(order);
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
    if (!this.sortOrders.some((o) => o['order-id'] === orderId)) {
      throw illegalArgument(`Cannot set default sort order to unknown sort order: ${orderId}`);
    }
    this.defaultSortOrderId = orderId;
    this.changes.push({ action: 'set-default-sort-order', 'sort-order-id': orderId });
    return this;
  }
}
