/**
 * View versions: parsing and the "same version" comparison used to reuse an
 * existing version id instead of adding a duplicate.
 *
 * Invariant enforced: a version has at most one SQL representation per
 * dialect (dialects compare case-insensitively).
 */
import { illegalArgument, validation } from '../../errors/catalog-error.js';
import {
  asObject,
  asStringArray,
  asStringMap,
  get,
  mapToRecord,
  optString,
  reqArray,
  reqInt,
  reqLong,
  reqString,
  sub,
  toWire,
  type JsonObject,
} from './read.js';
import { strictKey, structuralKey } from './id-index.js';
import { deepEqual } from './schema.js';
import type { SqlViewRepresentation, ViewVersion } from './types.js';

function parseRepresentation(v: unknown, path: string): SqlViewRepresentation {
  const o = asObject(v, path);
  const type = reqString(o, 'type', path).toLowerCase();
  if (type !== 'sql') throw validation(`Invalid ${sub(path, 'type')}: unsupported view representation '${type}'`);
  return { type: 'sql', sql: reqString(o, 'sql', path), dialect: reqString(o, 'dialect', path) };
}

export function parseViewVersion(v: JsonObject | unknown, path = 'view-version'): ViewVersion {
  const o = asObject(v, path);
  const summaryRaw = get(o, 'summary');
  const version: ViewVersion = {
    'version-id': reqInt(o, 'version-id', path),
    'timestamp-ms': toWire(reqLong(o, 'timestamp-ms', path)),
    'schema-id': reqInt(o, 'schema-id', path),
    summary: summaryRaw === undefined || summaryRaw === null ? {} : mapToRecord(asStringMap(summaryRaw, sub(path, 'summary'))),
    'default-namespace': [],
    representations: [],
  };
  const defaultCatalog = optString(o, 'default-catalog', path);
  if (defaultCatalog !== undefined) version['default-catalog'] = defaultCatalog;
  const ns = get(o, 'default-namespace');
  if (ns === undefined || ns === null) {
    throw validation(`Invalid ${path}: missing required field '${sub(path, 'default-namespace')}'`);
  }
  version['default-namespace'] = asStringArray(ns, sub(path, 'default-namespace'));
  version.representations = reqArray(o, 'representations', path).map((r, i) => parseRepresentation(r, sub(sub(path, 'representations'), i)));
  checkDialects(version);
  return version;
}

export function checkDialects(version: ViewVersion): void {
  const seen = new Set<string>();
  for (const r of version.representations) {
    const dialect = r.dialect.toLowerCase();
    if (seen.has(dialect)) {
      throw illegalArgument(`Invalid view version: Cannot add multiple queries for dialect ${dialect}`);
    }
    seen.add(dialect);
  }
}

export const sqlDialects = (version: ViewVersion): Set<string> => new Set(version.representations.map((r) => r.dialect.toLowerCase()));

/** Would behave the same: ignores version id, timestamp and (as Iceberg Java does) nothing else. */
export function sameViewVersion(a: ViewVersion, b: ViewVersion): boolean {
  return (
    deepEqual(a.summary, b.summary) &&
    deepEqual(a.representations, b.representations) &&
    a['default-catalog'] === b['default-catalog'] &&
    deepEqual(a['default-namespace'], b['default-namespace']) &&
    a['schema-id'] === b['schema-id']
  );
}

/** A key equal for two versions exactly when sameViewVersion calls them the same (id-index.ts). */
export function viewVersionKey(v: ViewVersion): string {
  return [
    structuralKey(v.summary),
    structuralKey(v.representations),
    strictKey(v['default-catalog']),
    structuralKey(v['default-namespace']),
    strictKey(v['schema-id']),
  ].join('|');
}
