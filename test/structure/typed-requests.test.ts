/**
 * Typed from the wire (issue 56): a route of the contract is registered by its operation id through
 * http/operation-route.ts, which types its request from the same protocol schemas the contract validates against,
 * so no route casts its request. This keeps both true as routes are added: a cast of a request's body, query or
 * params in http/ (an `as` after it), or a contract route registered by hand with its own method and path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const http = path.resolve(import.meta.dirname, '..', '..', 'packages', 'server', 'src', 'http');
const sources = (readdirSync(http, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => ({ file: f, text: readFileSync(path.join(http, f), 'utf8') }));

/** `req.body as X`, `(req.query ?? {}) as X`, `req.params as X`: a request part given a type by assertion. */
const CAST = /\breq(?:uest)?\.(?:body|query|params)\b(?:\s*\?\?\s*\{\})?\)?\s+as\s/;
/** A route declaring its operation itself (`{ schema: { operationId: … } }`) instead of operationRoute. */
const BY_HAND = /schema:\s*\{\s*operationId\s*:/;

describe('typed requests', () => {
  it('reads every file of http/', () => {
    expect(sources.map((s) => s.file)).toContain('operation-route.ts');
    expect(sources.length).toBeGreaterThan(40);
  });

  it('casts no request body, query or params in http/', () => {
    const casts = sources.flatMap(({ file, text }) => text.split('\n').flatMap((line, i) => (CAST.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])));
    expect(casts).toEqual([]);
  });

  it('registers contract routes only through operationRoute', () => {
    expect(sources.filter(({ file, text }) => file !== 'operation-route.ts' && BY_HAND.test(text)).map((s) => s.file)).toEqual([]);
  });

  it('would see the patterns it guards against', () => {
    expect(CAST.test('const b = req.body as CreatePolicyRequest;')).toBe(true);
    expect(CAST.test('const q = (req.query ?? {}) as { branch?: string };')).toBe(true);
    expect(CAST.test('return req.body;')).toBe(false);
    expect(BY_HAND.test("app.post('/x', { schema: { operationId: 'createTable' } }, h)")).toBe(true);
  });
});
