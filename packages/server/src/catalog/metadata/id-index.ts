/**
 * Finding "an equivalent entry already exists" in a list of schemas, specs, sort orders or view versions
 * without comparing against every entry. Each add used to scan the whole list with a structural
 * comparison, so one commit of n add-schema updates (an 8 MiB body holds ~40,000) cost n²/2
 * comparisons: 8,000 of them blocked the event loop for 12 s. Here every entry gets a key, a
 * string that is equal for two entries exactly when the list's equivalence calls them equal, and a
 * map from key to the first entry's id answers in one lookup; the largest id is kept alongside.
 */
import { nextId } from './table-format.js';

/**
 * A key equal for two JSON-like values exactly when `deepEqual` (schema.ts) calls them equal: object
 * key order and keys holding `undefined` do not count, an integer-valued number and a bigint of the
 * same value are the same, anything else compares by `===`. (NaN, which parsed JSON never holds, is one
 * value here; deepEqual calls it equal only within the very same object.)
 */
export function structuralKey(value: unknown): string {
  switch (typeof value) {
    case 'bigint':
      return `i${value}`;
    case 'number':
      return Number.isInteger(value) ? `i${BigInt(value)}` : `f${value}`;
    case 'string':
      return `s${JSON.stringify(value)}`;
    case 'boolean':
      return value ? 'T' : 'F';
    case 'undefined':
      return 'u';
    case 'object': {
      if (value === null) return 'N';
      if (Array.isArray(value)) return `[${value.map(structuralKey).join(',')}]`;
      const o = value as Record<string, unknown>;
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${structuralKey(o[k])}`).join(',')}}`;
    }
    default:
      // Functions and symbols are never in parsed JSON; such a value is equal only to itself, as with ===.
      return `?${String(value)}`;
  }
}

/** A key equal for two primitives exactly when they are `===` (as the spec, order and version comparisons use on parsed fields). */
export const strictKey = (value: string | number | bigint | boolean | null | undefined): string =>
  `${typeof value}:${typeof value === 'string' ? JSON.stringify(value) : String(value)}`;

/**
 * The ids of a list's entries by key (the first entry of each key) and the largest id. It follows the
 * list it indexes: entries appended through `added` are indexed on the way; when the list was replaced
 * or changed another way (its length differs), it is indexed again on the next use.
 */
export class IdIndex<T> {
  private list: readonly T[] | undefined;
  private length = 0;
  private readonly byKey = new Map<string, number>();
  private readonly ids = new Set<number>();
  private max: number | undefined;

  constructor(
    private readonly keyOf: (entry: T) => string,
    private readonly idOf: (entry: T) => number,
  ) {}

  /** The id of the first entry of `list` whose key is `key` (an entry's equivalent's), if any. */
  find(list: readonly T[], key: string): number | undefined {
    return this.sync(list).byKey.get(key);
  }

  has(list: readonly T[], id: number): boolean {
    return this.sync(list).ids.has(id);
  }

  /**
   * The id a new entry gets when ids are assigned as Iceberg Java does (start from `start`, step past
   * every existing id not below it): `start`, or one past the largest id when that is not below `start`.
   */
  nextFree(list: readonly T[], start: number, what: string): number {
    const max = this.sync(list).max;
    return max !== undefined && max >= start ? nextId(max, what) : start;
  }

  /** Call after appending `entry` to `list`. */
  added(list: readonly T[], entry: T): void {
    if (this.list === list && this.length === list.length - 1) {
      this.index(entry);
      this.length = list.length;
    } else {
      this.list = undefined;
    }
  }

  private sync(list: readonly T[]): this {
    if (this.list !== list || this.length !== list.length) {
      this.byKey.clear();
      this.ids.clear();
      this.max = undefined;
      for (const entry of list) this.index(entry);
      this.list = list;
      this.length = list.length;
    }
    return this;
  }

  private index(entry: T): void {
    const key = this.keyOf(entry);
    const id = this.idOf(entry);
    if (!this.byKey.has(key)) this.byKey.set(key, id);
    this.ids.add(id);
    if (this.max === undefined || id > this.max) this.max = id;
  }
}
