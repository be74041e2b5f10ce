/**
 * Parsing of untrusted table/view updates and requirements into canonical,
 * fully validated objects. Unknown `action` / `type` values and malformed
 * fields are rejected with a validation error naming them.
 */
import { validation } from '../../errors/catalog-error.js';
import { parsePartitionSpec } from './partition-spec.js';
import {
  asIntArray,
  asLongArray,
  asObject,
  asStringArray,
  asStringMap,
  get,
  hasOwn,
  mapToRecord,
  optInt,
  optLong,
  reqInt,
  reqLong,
  reqObject,
  reqString,
  sub,
  toWire,
  type JsonObject,
} from './read.js';
import { parseSchema } from './schema.js';
import { parseSortOrder } from './sort-order.js';
import { parseEncryptedKey, parsePartitionStatisticsFile, parseSnapshot, parseSnapshotRef, parseStatisticsFile } from './table-objects.js';
import type {
  AddSchemaUpdate,
  AssignUuidUpdate,
  RemovePropertiesUpdate,
  SetLocationUpdate,
  SetPropertiesUpdate,
  TableRequirement,
  TableUpdate,
  UpgradeFormatVersionUpdate,
  ViewRequirement,
  ViewUpdate,
} from './change-types.js';
import { parseViewVersion } from './view-version.js';
import { checkDefaults } from './defaults.js';

export const TABLE_ACTIONS = [
  'assign-uuid',
  'upgrade-format-version',
  'add-schema',
  'set-current-schema',
  'add-spec',
  'set-default-spec',
  'add-sort-order',
  'set-default-sort-order',
  'add-snapshot',
  'set-snapshot-ref',
  'remove-snapshots',
  'remove-snapshot-ref',
  'set-location',
  'set-properties',
  'remove-properties',
  'set-statistics',
  'remove-statistics',
  'set-partition-statistics',
  'remove-partition-statistics',
  'remove-partition-specs',
  'remove-schemas',
  'add-encryption-key',
  'remove-encryption-key',
] as const;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function readAction(o: JsonObject, path: string): string {
  return reqString(o, 'action', path).toLowerCase();
}

// ---------------------------------------------------------------- shared updates

function parseShared(
  action: string,
  o: JsonObject,
  path: string,
): AssignUuidUpdate | UpgradeFormatVersionUpdate | AddSchemaUpdate | SetLocationUpdate | SetPropertiesUpdate | RemovePropertiesUpdate | undefined {
  switch (action) {
    case 'assign-uuid':
      return { action, uuid: reqString(o, 'uuid', path) };
    case 'upgrade-format-version':
      return { action, 'format-version': reqInt(o, 'format-version', path) };
    case 'add-schema': {
      const update: AddSchemaUpdate = { action, schema: parseSchema(get(o, 'schema'), sub(path, 'schema')) };
      checkDefaults(update.schema, sub(path, 'schema'));
      const lastColumnId = optInt(o, 'last-column-id', path);
      if (lastColumnId !== undefined) update['last-column-id'] = lastColumnId;
      return update;
    }
    case 'set-location':
      return { action, location: reqString(o, 'location', path) };
    case 'set-properties': {
      // The spec says "updates"; early Iceberg Java wrote "updated". Accept both, prefer "updates".
      const key = hasOwn(o, 'updates') || !hasOwn(o, 'updated') ? 'updates' : 'updated';
      const raw = get(o, key);
      if (raw === undefined || raw === null) throw validation(`Invalid ${path}: missing required field '${sub(path, 'updates')}'`);
      return { action, updates: mapToRecord(asStringMap(raw, sub(path, key))) };
    }
    case 'remove-properties': {
      const key = hasOwn(o, 'removals') || !hasOwn(o, 'removed') ? 'removals' : 'removed';
      const raw = get(o, key);
      if (raw === undefined || raw === null) throw validation(`Invalid ${path}: missing required field '${sub(path, 'removals')}'`);
      return { action, removals: asStringArray(raw, sub(path, key)) };
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- tables

export function parseTableUpdate(v: unknown, path = 'update'): TableUpdate {
  const o = asObject(v, path);
  const action = readAction(o, path);
  const shared = parseShared(action, o, path);
  if (shared) return shared;
  switch (action) {
    case 'set-current-schema':
      return { action, 'schema-id': reqInt(o, 'schema-id', path) };
    case 'add-spec':
      return { action, spec: parsePartitionSpec(get(o, 'spec') ?? null, sub(path, 'spec')) };
    case 'set-default-spec':
      return { action, 'spec-id': reqInt(o, 'spec-id', path) };
    case 'add-sort-order':
      return { action, 'sort-order': parseSortOrder(get(o, 'sort-order') ?? null, sub(path, 'sort-order')) };
    case 'set-default-sort-order':
      return { action, 'sort-order-id': reqInt(o, 'sort-order-id', path) };
    case 'add-snapshot':
      return { action, snapshot: parseSnapshot(reqObject(o, 'snapshot', path), sub(path, 'snapshot')) };
    case 'set-snapshot-ref':
      return { action, 'ref-name': reqString(o, 'ref-name', path), ...parseSnapshotRef(o, path) };
    case 'remove-snapshots': {
      const raw = get(o, 'snapshot-ids');
      if (raw === undefined || raw === null) throw validation(`Invalid ${path}: missing required field '${sub(path, 'snapshot-ids')}'`);
      return { action, 'snapshot-ids': asLongArray(raw, sub(path, 'snapshot-ids')).map(toWire) };
    }
    case 'remove-snapshot-ref':
      return { action, 'ref-name': reqString(o, 'ref-name', path) };
    case 'set-statistics': {
      // "snapshot-id" next to "statistics" is deprecated and redundant; the file's own id wins.
      optLong(o, 'snapshot-id', path);
      return { action, statistics: parseStatisticsFile(reqObject(o, 'statistics', path), sub(path, 'statistics')) };
    }
    case 'remove-statistics':
      return { action, 'snapshot-id': toWire(reqLong(o, 'snapshot-id', path)) };
    case 'set-partition-statistics':
      return {
        action,
        'partition-statistics': parsePartitionStatisticsFile(reqObject(o, 'partition-statistics', path), sub(path, 'partition-statistics')),
      };
    case 'remove-partition-statistics':
      return { action, 'snapshot-id': toWire(reqLong(o, 'snapshot-id', path)) };
    case 'remove-partition-specs':
      return { action, 'spec-ids': asIntArray(get(o, 'spec-ids') ?? null, sub(path, 'spec-ids')) };
    case 'remove-schemas':
      return { action, 'schema-ids': asIntArray(get(o, 'schema-ids') ?? null, sub(path, 'schema-ids')) };
    case 'add-encryption-key': {
      const key = parseEncryptedKey(reqObject(o, 'encryption-key', path), sub(path, 'encryption-key'));
      // Iceberg Java decodes it with Base64.getDecoder() when it reads the metadata: anything else would make the table unreadable there.
      if (!BASE64.test(key['encrypted-key-metadata']) || key['encrypted-key-metadata'].replace(/=+$/, '').length % 4 === 1) {
        throw validation(`Invalid ${sub(sub(path, 'encryption-key'), 'encrypted-key-metadata')}: not base64`);
      }
      return { action, 'encryption-key': key };
    }
    case 'remove-encryption-key':
      return { action, 'key-id': reqString(o, 'key-id', path) };
    case 'add-view-version':
    case 'set-current-view-version':
      throw validation(`Invalid ${sub(path, 'action')}: '${action}' cannot be applied to a table`);
    default:
      throw validation(`Invalid ${sub(path, 'action')}: unknown table update action '${action}'`);
  }
}

export function parseTableRequirement(v: unknown, path = 'requirement'): TableRequirement {
  const o = asObject(v, path);
  const type = reqString(o, 'type', path).toLowerCase();
  switch (type) {
    case 'assert-create':
      return { type };
    case 'assert-table-uuid':
      return { type, uuid: reqString(o, 'uuid', path) };
    case 'assert-ref-snapshot-id': {
      const id = optLong(o, 'snapshot-id', path);
      return { type, ref: reqString(o, 'ref', path), 'snapshot-id': id === undefined ? null : toWire(id) };
    }
    case 'assert-last-assigned-field-id':
      return { type, 'last-assigned-field-id': reqInt(o, 'last-assigned-field-id', path) };
    case 'assert-current-schema-id':
      return { type, 'current-schema-id': reqInt(o, 'current-schema-id', path) };
    case 'assert-last-assigned-partition-id':
      return { type, 'last-assigned-partition-id': reqInt(o, 'last-assigned-partition-id', path) };
    case 'assert-default-spec-id':
      return { type, 'default-spec-id': reqInt(o, 'default-spec-id', path) };
    case 'assert-default-sort-order-id':
      return { type, 'default-sort-order-id': reqInt(o, 'default-sort-order-id', path) };
    case 'assert-view-uuid':
      throw validation(`Invalid ${sub(path, 'type')}: cannot validate '${type}' against a table`);
    default:
      throw validation(`Invalid ${sub(path, 'type')}: unknown table requirement type '${type}'`);
  }
}

// ---------------------------------------------------------------- views

export function parseViewUpdate(v: unknown, path = 'update'): ViewUpdate {
  const o = asObject(v, path);
  const action = readAction(o, path);
  const shared = parseShared(action, o, path);
  if (shared) return shared;
  switch (action) {
    case 'add-view-version':
      return { action, 'view-version': parseViewVersion(reqObject(o, 'view-version', path), sub(path, 'view-version')) };
    case 'set-current-view-version':
      return { action, 'view-version-id': reqInt(o, 'view-version-id', path) };
    default:
      if ((TABLE_ACTIONS as readonly string[]).includes(action)) {
        throw validation(`Invalid ${sub(path, 'action')}: '${action}' cannot be applied to a view`);
      }
      throw validation(`Invalid ${sub(path, 'action')}: unknown view update action '${action}'`);
  }
}

export function parseViewRequirement(v: unknown, path = 'requirement'): ViewRequirement {
  const o = asObject(v, path);
  const type = reqString(o, 'type', path).toLowerCase();
  if (type === 'assert-view-uuid') return { type, uuid: reqString(o, 'uuid', path) };
  if (type.startsWith('assert-')) {
    throw validation(`Invalid ${sub(path, 'type')}: cannot validate '${type}' against a view`);
  }
  throw validation(`Invalid ${sub(path, 'type')}: unknown view requirement type '${type}'`);
}

/** Parses an array of updates (or requirements) with indexed paths. */
export function parseList<T>(v: unknown, path: string, parse: (item: unknown, path: string) => T): T[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw validation(`Invalid ${path}: expected an array`);
  return v.map((item, i) => parse(item, sub(path, i)));
}
