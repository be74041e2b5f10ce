/**
 * A small valid value for a schema of the wire contract, and the fields it holds: tests that walk every
 * operation (a null in each field, an unknown key in each object) build their requests from here instead of
 * keeping a hand-written body per operation, so a new operation or field is covered the day it is added.
 * The value holds the required properties only (optional ones are listed as fields, not filled in); a union
 * takes its first branch; a string matches its pattern when one of a few candidates does.
 */
import { NAMED_SCHEMAS, NULL_MEANS_ABSENT } from '@lakegate/protocol';

type Node = Record<string, unknown>;

/** A property of an object in the example: its JSON pointer, and whether the contract lets it be null. */
export interface ExampleField {
  pointer: string;
  /** Null is a value of its own (nullable) or stands for absent (NullMeansAbsent). */
  nullAllowed: boolean;
  /** Null stands for absent (NullMeansAbsent: a field real clients send as null). */
  nullMeansAbsent: boolean;
  required: boolean;
}

/** An object of the example and whether it takes unknown keys (`additionalProperties` not false). */
export interface ExampleObject {
  pointer: string;
  closed: boolean;
  /** A map or an opaque object (no named properties, or values by pattern): its keys are data, not fields. */
  map: boolean;
}

export interface Example {
  value: unknown;
  fields: ExampleField[];
  objects: ExampleObject[];
}

const named = new Map<string, Node>(NAMED_SCHEMAS.map((s) => [s.$id, s as unknown as Node]));

function resolve(schema: unknown): Node {
  let node = schema as Node;
  while (typeof node.$ref === 'string') {
    const target = named.get(node.$ref.replace('#/components/schemas/', ''));
    if (!target) throw new Error(`no named schema ${node.$ref}`);
    node = target;
  }
  return node;
}

/** Null is a value the schema takes (type null, a nullable branch) or stands for absent. */
export function nullAllowed(schema: unknown): boolean {
  const s = resolve(schema);
  if (s[NULL_MEANS_ABSENT] === true || s.type === 'null' || (Array.isArray(s.type) && s.type.includes('null')) || s.nullable === true) return true;
  return (['anyOf', 'oneOf'] as const).some((k) => Array.isArray(s[k]) && (s[k] as unknown[]).some(nullAllowed));
}

const STRING_CANDIDATES = ['x', 'abc', 'a1', 'x-1', '1', 's3://bucket/p', 'main', 'read', 'table:read', '00000000-0000-0000-0000-000000000000'];

export function example(schema: unknown): Example {
  const out: Example = { value: undefined, fields: [], objects: [] };
  out.value = build(schema, '', out);
  return out;
}

function build(schema: unknown, pointer: string, out: Example): unknown {
  const s = resolve(schema);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  for (const k of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[k])) {
      const branch = (s[k] as unknown[]).find((b) => resolve(b).type !== 'null');
      if (branch !== undefined) return build(branch, pointer, out);
    }
  }
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      const required = new Set((s.required ?? []) as string[]);
      const map = s.properties === undefined || s.patternProperties !== undefined || typeof s.additionalProperties === 'object';
      out.objects.push({ pointer, closed: s.additionalProperties === false, map });
      const value: Record<string, unknown> = {};
      for (const [name, prop] of Object.entries(properties)) {
        const at = `${pointer}/${name}`;
        out.fields.push({
          pointer: at,
          nullAllowed: nullAllowed(prop),
          nullMeansAbsent: resolve(prop)[NULL_MEANS_ABSENT] === true,
          required: required.has(name),
        });
        if (required.has(name)) value[name] = build(prop, at, out);
      }
      return value;
    }
    case 'array': {
      const n = typeof s.minItems === 'number' ? s.minItems : 0;
      return Array.from({ length: n }, (_, i) => build(s.items, `${pointer}/${i}`, out));
    }
    case 'string': {
      const min = typeof s.minLength === 'number' ? s.minLength : 0;
      const pattern = typeof s.pattern === 'string' ? new RegExp(s.pattern, 'u') : undefined;
      const found = STRING_CANDIDATES.map((c) => c.padEnd(min, 'x')).find((c) => !pattern || pattern.test(c));
      return found ?? 'x'.repeat(Math.max(1, min));
    }
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : 1;
    case 'boolean':
      return false;
    default:
      return {};
  }
}

/** A copy of `value` with `replacement` at `pointer` (a JSON pointer; '' is the value itself). */
export function withAt(value: unknown, pointer: string, replacement: unknown): unknown {
  if (pointer === '') return replacement;
  const copy = structuredClone(value) as Record<string, unknown>;
  const keys = pointer.split('/').slice(1);
  let node = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys.at(-1)!] = replacement;
  return copy;
}
