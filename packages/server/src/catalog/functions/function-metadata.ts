/**
 * The one rule for a function's metadata (apache/iceberg#15180's FunctionMetadata, format-version 1) as an
 * administrator puts it: every definition's parameters, return type, versions and SQL bodies checked, or a 400
 * saying which field is wrong. As everywhere in the management API, a key the spec does not name is refused (a typo
 * would otherwise be stored silently), except inside a data type, whose other fields the spec says to ignore.
 */
import { validation } from '../../errors/catalog-error.js';

/** Lakegate's bounds (a function is read whole on every load). */
const MAX_JSON = 1024 * 1024;
const MAX_DEFINITIONS = 100;
const MAX_PARAMETERS = 256;
const MAX_VERSIONS = 1_000;
const MAX_DEPTH = 32;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

const FIELDS = {
  metadata: ['function-uuid', 'format-version', 'definitions', 'definition-log', 'location', 'properties', 'secure', 'doc'],
  definition: ['definition-id', 'specific-name', 'parameters', 'return-type', 'return-nullable', 'versions', 'current-version-id', 'function-type', 'doc'],
  parameter: ['type', 'name', 'doc'],
  version: ['version-id', 'representations', 'deterministic', 'on-null-input', 'timestamp-ms'],
  representation: ['type', 'dialect', 'sql'],
} as const;

/** Refuses a key the spec does not name, naming it. */
function known(v: Json, fields: readonly string[], where: string): void {
  for (const key of Object.keys(v))
    if (!fields.includes(key)) throw validation(`function: ${where ? `${where}.` : ''}${key.slice(0, 64)} is not a field of a function's metadata`);
}

function text(v: unknown, where: string, optional = false): string | undefined {
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v.length === 0) throw validation(`function: ${where} must be a non-empty string`);
  return v;
}

function list(v: unknown, where: string, max: number, nonEmpty = true): unknown[] {
  if (!Array.isArray(v)) throw validation(`function: ${where} must be a list`);
  if (nonEmpty && v.length === 0) throw validation(`function: ${where} must not be empty`);
  if (v.length > max) throw validation(`function: ${where} has more than ${max} entries`);
  return v;
}

/** A FunctionDataType: a type string (no spaces, no quotes) or a list, map or struct object of them. */
export function checkDataType(v: unknown, where: string, depth = 0): void {
  if (depth > MAX_DEPTH) throw validation(`function: ${where} nests deeper than ${MAX_DEPTH}`);
  if (typeof v === 'string') {
    if (v.length === 0 || v.length > 256 || /[\s"'`]/.test(v))
      throw validation(`function: ${where} must be a type string without spaces or quotes (e.g. "int", "decimal(9,2)")`);
    return;
  }
  if (!isObject(v)) throw validation(`function: ${where} must be a type string or a list, map or struct object`);
  if (v.type === 'list') return checkDataType(v.element, `${where}.element`, depth + 1);
  if (v.type === 'map') {
    checkDataType(v.key, `${where}.key`, depth + 1);
    return checkDataType(v.value, `${where}.value`, depth + 1);
  }
  if (v.type === 'struct') {
    const names = new Set<string>();
    for (const [i, f] of list(v.fields, `${where}.fields`, MAX_PARAMETERS, false).entries()) {
      if (!isObject(f)) throw validation(`function: ${where}.fields[${i}] must be an object`);
      const name = text(f.name, `${where}.fields[${i}].name`)!;
      if (names.has(name)) throw validation(`function: ${where} has two fields named ${JSON.stringify(name).slice(0, 64)}`);
      names.add(name);
      checkDataType(f.type, `${where}.fields[${i}].type`, depth + 1);
    }
    return;
  }
  throw validation(`function: ${where}.type must be "list", "map" or "struct"`);
}

function checkVersion(v: unknown, where: string): number {
  if (!isObject(v)) throw validation(`function: ${where} must be an object`);
  known(v, FIELDS.version, where);
  if (!isInt(v['version-id'])) throw validation(`function: ${where}.version-id must be an integer`);
  if (!isInt(v['timestamp-ms'])) throw validation(`function: ${where}.timestamp-ms must be an integer (epoch milliseconds)`);
  if (v.deterministic !== undefined && typeof v.deterministic !== 'boolean') throw validation(`function: ${where}.deterministic must be a boolean`);
  if (v['on-null-input'] !== undefined && v['on-null-input'] !== 'return-null' && v['on-null-input'] !== 'call')
    throw validation(`function: ${where}.on-null-input must be "return-null" or "call"`);
  const dialects = new Set<string>();
  for (const [i, r] of list(v.representations, `${where}.representations`, 64).entries()) {
    const at = `${where}.representations[${i}]`;
    if (!isObject(r)) throw validation(`function: ${at} must be an object`);
    known(r, FIELDS.representation, at);
    if (r.type !== 'sql') throw validation(`function: ${at}.type must be "sql" (the only representation the spec defines)`);
    const dialect = text(r.dialect, `${at}.dialect`)!.toLowerCase();
    text(r.sql, `${at}.sql`);
    if (dialects.has(dialect)) throw validation(`function: ${where} has two bodies for dialect ${JSON.stringify(dialect).slice(0, 64)}`);
    dialects.add(dialect);
  }
  return v['version-id'];
}

function checkDefinition(d: unknown, where: string): { id: string; specificName: string | undefined; versionIds: Set<number>; current: number } {
  if (!isObject(d)) throw validation(`function: ${where} must be an object`);
  known(d, FIELDS.definition, where);
  const id = typeof d['definition-id'] === 'string' ? d['definition-id'] : undefined;
  if (id === undefined || /\s/.test(id)) throw validation(`function: ${where}.definition-id must be the parameter types, comma-separated, no spaces`);
  const specificName = text(d['specific-name'], `${where}.specific-name`, true);
  const names = new Set<string>();
  const params = list(d.parameters, `${where}.parameters`, MAX_PARAMETERS, false);
  for (const [i, p] of params.entries()) {
    if (!isObject(p)) throw validation(`function: ${where}.parameters[${i}] must be an object`);
    known(p, FIELDS.parameter, `${where}.parameters[${i}]`);
    const name = text(p.name, `${where}.parameters[${i}].name`)!;
    if (names.has(name)) throw validation(`function: ${where} has two parameters named ${JSON.stringify(name).slice(0, 64)}`);
    names.add(name);
    checkDataType(p.type, `${where}.parameters[${i}].type`);
    if (p.doc !== undefined && typeof p.doc !== 'string') throw validation(`function: ${where}.parameters[${i}].doc must be a string`);
  }
  // Where every parameter type is a type string, the canonical id is known: hold the definition to it.
  const types = params.map((p) => (p as Json).type);
  if (types.every((t) => typeof t === 'string') && id !== types.join(','))
    throw validation(`function: ${where}.definition-id must be ${JSON.stringify(types.join(','))} (its parameter types)`);
  checkDataType(d['return-type'], `${where}.return-type`);
  if (d['function-type'] !== 'udf' && d['function-type'] !== 'udtf') throw validation(`function: ${where}.function-type must be "udf" or "udtf"`);
  if (d['function-type'] === 'udtf' && !(isObject(d['return-type']) && d['return-type'].type === 'struct'))
    throw validation(`function: ${where}.return-type must be a struct for a udtf`);
  if (d['return-nullable'] !== undefined && typeof d['return-nullable'] !== 'boolean') throw validation(`function: ${where}.return-nullable must be a boolean`);
  if (d.doc !== undefined && typeof d.doc !== 'string') throw validation(`function: ${where}.doc must be a string`);
  const versionIds = new Set<number>();
  for (const [i, v] of list(d.versions, `${where}.versions`, MAX_VERSIONS).entries()) {
    const vid = checkVersion(v, `${where}.versions[${i}]`);
    if (versionIds.has(vid)) throw validation(`function: ${where} has two versions ${vid}`);
    versionIds.add(vid);
  }
  const current = d['current-version-id'];
  if (!isInt(current) || !versionIds.has(current)) throw validation(`function: ${where}.current-version-id must name one of its versions`);
  return { id, specificName, versionIds, current };
}

/**
 * The metadata to store, as JSON text: checked, with `function-uuid` kept from the function it replaces (or new)
 * when absent, and a `definition-log` of the current versions when absent.
 */
export function checkFunctionMetadata(input: unknown, defaults: { uuid: string; nowMs: number }): { uuid: string; json: string } {
  if (!isObject(input)) throw validation('function: the body must be a FunctionMetadata object');
  known(input, FIELDS.metadata, '');
  const m: Json = { ...input };
  if (m['format-version'] !== 1) throw validation('function: format-version must be 1');
  if (m['function-uuid'] === undefined) m['function-uuid'] = defaults.uuid;
  if (typeof m['function-uuid'] !== 'string' || !UUID.test(m['function-uuid'])) throw validation('function: function-uuid must be a UUID');
  const ids = new Set<string>();
  const specificNames = new Set<string>();
  const defs = new Map<string, { versionIds: Set<number>; current: number }>();
  for (const [i, d] of list(m.definitions, 'definitions', MAX_DEFINITIONS).entries()) {
    const checked = checkDefinition(d, `definitions[${i}]`);
    if (ids.has(checked.id)) throw validation(`function: two definitions have definition-id ${JSON.stringify(checked.id).slice(0, 64)}`);
    ids.add(checked.id);
    if (checked.specificName !== undefined) {
      if (specificNames.has(checked.specificName))
        throw validation(`function: two definitions have specific-name ${JSON.stringify(checked.specificName).slice(0, 64)}`);
      specificNames.add(checked.specificName);
    }
    defs.set(checked.id, checked);
  }
  if (m['definition-log'] === undefined)
    m['definition-log'] = [
      { 'timestamp-ms': defaults.nowMs, 'definition-versions': [...defs].map(([id, d]) => ({ 'definition-id': id, 'version-id': d.current })) },
    ];
  for (const [i, e] of list(m['definition-log'], 'definition-log', 10_000, false).entries()) {
    if (!isObject(e) || !isInt(e['timestamp-ms'])) throw validation(`function: definition-log[${i}] needs timestamp-ms (epoch milliseconds)`);
    known(e, ['timestamp-ms', 'definition-versions'], `definition-log[${i}]`);
    for (const [j, ref] of list(e['definition-versions'], `definition-log[${i}].definition-versions`, MAX_DEFINITIONS, false).entries())
      if (!isObject(ref) || typeof ref['definition-id'] !== 'string' || !isInt(ref['version-id']))
        throw validation(`function: definition-log[${i}].definition-versions[${j}] needs definition-id and version-id`);
  }
  if (m.properties !== undefined) {
    if (!isObject(m.properties) || Object.values(m.properties).some((v) => typeof v !== 'string'))
      throw validation('function: properties must be an object of strings');
  }
  if (m.secure !== undefined && typeof m.secure !== 'boolean') throw validation('function: secure must be a boolean');
  for (const key of ['doc', 'location'] as const) if (m[key] !== undefined && typeof m[key] !== 'string') throw validation(`function: ${key} must be a string`);
  const json = JSON.stringify(m);
  if (json.length > MAX_JSON) throw validation(`function: the metadata is larger than ${MAX_JSON} bytes`);
  return { uuid: m['function-uuid'], json };
}
