/**
 * Lance field paths (UpdateFieldMetadata, lance-namespace 0.13): a field is named by its path from the top of the
 * schema, segments joined by "."; a segment holding "." or "`" is quoted in backticks, a backtick inside doubled
 * ("s.`a.b`", "`x``y`"). A leaf's name alone names only a top-level field. The canonical form quotes exactly the
 * segments that need it, so one field has one path in answers and errors. Framework-free and pure.
 */
import { validation } from '../../errors/catalog-error.js';

/** The segments of a path, or ERR_VALIDATION naming what is wrong with it (an empty segment, an unclosed quote). */
export function parseFieldPath(path: string): string[] {
  const segments: string[] = [];
  let i = 0;
  const bad = (why: string) => validation(`field path ${JSON.stringify(path)} is not a Lance field path: ${why}`);
  for (;;) {
    let segment = '';
    if (path[i] === '`') {
      i += 1;
      for (;;) {
        if (i >= path.length) throw bad('a backtick-quoted segment is not closed');
        if (path[i] === '`') {
          if (path[i + 1] === '`') {
            segment += '`';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        segment += path[i];
        i += 1;
      }
      if (i < path.length && path[i] !== '.') throw bad('a quoted segment must end where its backticks close');
    } else {
      const end = path.indexOf('.', i);
      segment = path.slice(i, end < 0 ? path.length : end);
      if (segment.includes('`')) throw bad('a segment holding a backtick must be quoted in backticks (doubled inside)');
      i = end < 0 ? path.length : end;
    }
    if (segment.length === 0) throw bad('a segment is empty');
    segments.push(segment);
    if (i >= path.length) return segments;
    i += 1; // the "."
    if (i >= path.length) throw bad('it ends with "."');
  }
}

/** The canonical path of these segments: a segment quoted only when it holds "." or "`". */
export function canonicalFieldPath(segments: readonly string[]): string {
  return segments.map((s) => (/[.`]/.test(s) ? `\`${s.replaceAll('`', '``')}\`` : s)).join('.');
}

/** A schema as Arrow (and LanceDB) show it: fields with metadata, nested ones under their type's children. */
export interface SchemaField {
  name: string;
  metadata: Map<string, string>;
  type: { children?: readonly SchemaField[] | null };
}

/** The field at these segments, walking nested fields through their type's children; undefined when none. */
export function fieldAt(fields: readonly SchemaField[], segments: readonly string[]): SchemaField | undefined {
  let level: readonly SchemaField[] = fields;
  let found: SchemaField | undefined;
  for (const segment of segments) {
    found = level.find((f) => f.name === segment);
    if (found === undefined) return undefined;
    level = found.type.children ?? [];
  }
  return found;
}

/** Every field's canonical path, depth first (what an error lists as the fields there are). */
export function fieldPaths(fields: readonly SchemaField[], prefix: readonly string[] = []): string[] {
  return fields.flatMap((f) => [canonicalFieldPath([...prefix, f.name]), ...fieldPaths(f.type.children ?? [], [...prefix, f.name])]);
}
