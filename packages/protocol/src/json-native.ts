/**
 * Exact JSON parsing by the engine's own parser, for the server and the client alike. lossless-json parses in plain JavaScript, one
 * character at a time: about 10 µs per kilobyte and ~15 bytes of heap per byte of text, so a table's
 * 250 MB metadata file took minutes and gigabytes, and every commit re-read its table's metadata that way.
 * V8's JSON.parse is several times faster and lighter but loses what the catalog must keep: integers beyond
 * 2^53 (snapshot ids) and, for parseJsonExactly, the text of numbers such as `1.0`; and it takes the last of
 * duplicate keys where lossless-json refuses them.
 *
 * So the text is scanned once first (string bodies are skipped with indexOf, so the scan costs little more
 * than a memchr over the text): it finds the number tokens JSON.parse would not keep exactly and counts the
 * keys (a `:` outside strings is exactly one key in valid JSON). Those tokens are rewritten as strings with a
 * per-process random mark, JSON.parse runs, and one walk of the result turns marked strings back into the
 * exact values and counts the keys it finds. Anything this path cannot vouch for (JSON.parse refuses the
 * text, a key was lost to a duplicate, a mark turned up as a key or not at all) is handed back, and the
 * caller parses the text with lossless-json, whose answer (value or error) is the reference. The result is
 * therefore always what lossless-json gives; the server's json-native.test.ts holds the two to that on random
 * inputs.
 *
 * Written here because no library does it: the JSON.parse source-text access that would make the scan
 * unnecessary (a reviver's `context.source`) is not in Node 20's V8 without a flag.
 */
/** Returned when the native path cannot vouch for its answer: the caller parses with lossless-json. */
export const NOT_HANDLED: unique symbol = Symbol('not handled');

/**
 * The value of a number token that is not an integer and that a number would not write back as the same text
 * (`1.0`, `1e3`), e.g. a JsonNumber of its text (parseJsonExactly). Without one such tokens are plain numbers, as
 * JSON.parse reads them (parseJson); integers beyond 2^53 are bigint either way.
 */
export type NonCanonicalNumber = (text: string) => unknown;

// Web Crypto: the package runs in browsers too (the console, through the client).
const HEX = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
/** The mark as the parsed string starts with it (NUL, then random hex: no input can spell it) … */
const MARK = `\u0000${HEX}:`;
/** … and as it is written into the JSON text (a raw NUL would be refused inside a string). */
const MARK_SOURCE = `\\u0000${HEX}:`;

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const MINUS = 45;

const isNumberChar = (c: number): boolean => (c >= 48 && c <= 57) || c === 46 || c === 43 || c === MINUS || c === 69 || c === 101;

/** Whether JSON.parse would not give the number token text[start, end) the value the lossless path gives it. */
function needsMark(text: string, start: number, end: number, nonCanonical: NonCanonicalNumber | undefined): boolean {
  const first = text.charCodeAt(start) === MINUS ? start + 1 : start;
  let integer = true;
  for (let k = first; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c < 48 || c > 57) {
      integer = false;
      break;
    }
  }
  if (integer) {
    // Up to 15 digits is always a safe integer, which JSON.parse keeps exactly: most tokens end here, unsliced.
    if (end - first < 16) return false;
    const token = text.slice(start, end);
    return JSON_NUMBER.test(token) && !Number.isSafeInteger(Number.parseInt(token, 10));
  }
  if (nonCanonical === undefined) return false;
  const token = text.slice(start, end);
  return JSON_NUMBER.test(token) && String(Number(token)) !== token;
}

/**
 * Scans `text`: the number of keys, and the [start, end) spans of the number tokens to mark; undefined when
 * a string is not terminated (the text is not JSON: lossless-json will say where).
 */
function scan(text: string, nonCanonical: NonCanonicalNumber | undefined): { keys: number; spans: number[] } | undefined {
  const spans: number[] = [];
  let keys = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = text.indexOf('"', i + 1);
      for (;;) {
        if (end === -1) return undefined;
        let k = end - 1;
        while (text.charCodeAt(k) === BACKSLASH) k--;
        // An even number of backslashes before it: the quote is not escaped and ends the string.
        if ((end - 1 - k) % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      i = end + 1;
    } else if (c === COLON) {
      keys++;
      i++;
    } else if (c === MINUS || (c >= 48 && c <= 57)) {
      let end = i + 1;
      while (end < n && isNumberChar(text.charCodeAt(end))) end++;
      if (needsMark(text, i, end, nonCanonical)) spans.push(i, end);
      i = end;
    } else {
      i++;
    }
  }
  return { keys, spans };
}

/** The value of a marked string: an integer as bigint, any other (marked only with `nonCanonical`) by it. */
function unmark(value: string, nonCanonical: NonCanonicalNumber | undefined): unknown {
  const token = value.slice(MARK.length);
  return nonCanonical === undefined || /^-?\d+$/.test(token) ? BigInt(token) : nonCanonical(token);
}

/**
 * Returned by parseNative given `maxDepth` (screening) when the value has a key "__proto__" or "constructor", or nests
 * deeper than `maxDepth`: the caller, whose rules those are (the server's parseJsonInput), parses the text and checks
 * the value itself. Such a value is rare, so the one walk of the common case does the screening for free.
 */
export const SCREENED: unique symbol = Symbol('screened');

/**
 * The value of `text` as lossless-json would parse it (integers beyond 2^53 as bigint, other numbers as
 * `nonCanonical` says), or NOT_HANDLED when the caller must ask lossless-json (see above). With `maxDepth`, also
 * SCREENED for a value that is not plainly safe (see SCREENED), found in the same walk.
 */
export function parseNative(text: string, nonCanonical?: NonCanonicalNumber, maxDepth?: number): unknown {
  const found = scan(text, nonCanonical);
  if (found === undefined) return NOT_HANDLED;
  const { keys, spans } = found;
  let source = text;
  if (spans.length > 0) {
    const parts: string[] = [];
    let at = 0;
    for (let s = 0; s < spans.length; s += 2) {
      parts.push(text.slice(at, spans[s]), '"', MARK_SOURCE, text.slice(spans[s], spans[s + 1]), '"');
      at = spans[s + 1]!;
    }
    parts.push(text.slice(at));
    source = parts.join('');
  }
  let root: unknown;
  try {
    root = JSON.parse(source);
  } catch {
    return NOT_HANDLED;
  }
  const marks = spans.length / 2;
  if (typeof root === 'string') return marks === 1 && root.startsWith(MARK) ? unmark(root, nonCanonical) : marks === 0 ? root : NOT_HANDLED;
  const screen = maxDepth !== undefined;
  const limit = maxDepth ?? Infinity;
  let screened = false;
  // Iterative, so any depth is safe (JSON.parse itself is iterative in V8). Each node's depth (the root's is 1)
  // on a stack of its own beside the nodes', so no pair is allocated per node.
  let keysSeen = 0;
  let unmarked = 0;
  const stack: unknown[] = [root];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const node = stack.pop();
    const depth = depths.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) screened = true;
    if (Array.isArray(node)) {
      for (let k = 0; k < node.length; k++) {
        const v: unknown = node[k];
        if (typeof v === 'object') {
          if (v !== null) {
            stack.push(v);
            depths.push(depth + 1);
          }
        } else if (marks > 0 && typeof v === 'string' && v.startsWith(MARK)) {
          node[k] = unmark(v, nonCanonical);
          unmarked++;
        }
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key in record) {
      keysSeen++;
      if (screen && (key === '__proto__' || key === 'constructor')) screened = true;
      const v = record[key];
      if (typeof v === 'object') {
        if (v !== null) {
          stack.push(v);
          depths.push(depth + 1);
        }
      } else if (marks > 0 && typeof v === 'string' && v.startsWith(MARK)) {
        record[key] = unmark(v, nonCanonical);
        unmarked++;
      }
    }
  }
  // A duplicate key (JSON.parse kept one of them, lossless-json decides) or a mark in a key's place.
  if (keysSeen !== keys || unmarked !== marks) return NOT_HANDLED;
  return screened ? SCREENED : root;
}
