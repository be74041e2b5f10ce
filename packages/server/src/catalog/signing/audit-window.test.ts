import { describe, expect, it } from 'vitest';
import { AuditWindow } from './audit-window.js';

describe('AuditWindow', () => {
  it('claims each (caller key, description, object, action) once per window, apart from every other', () => {
    const w = new AuditWindow(60_000, 1_000);
    const alice = { key: '["principal","","alice"]', description: 'principal:alice' };
    expect(w.recent(alice, 'lake/b.t', 'table:write-data', 0)).toBe(false);
    expect(w.claim(alice, 'lake/b.t', 'table:write-data', 0)).toBe(true);
    expect(w.recent(alice, 'lake/b.t', 'table:write-data', 59_999)).toBe(true);
    expect(w.claim(alice, 'lake/b.t', 'table:write-data', 59_999)).toBe(false);
    // Each part differs: its own entry.
    for (const [caller, object, action] of [
      [{ ...alice, description: 'user:bob via alice' }, 'lake/b.t', 'table:write-data'],
      [{ key: '["principal","","bob"]', description: 'principal:alice' }, 'lake/b.t', 'table:write-data'],
      [alice, 'lake/b.u', 'table:write-data'],
      [alice, 'lake/b.t', 'table:read-data'],
      // No two tuples run together when joined.
      [alice, 'lake/b.t\u0000table:write-data', ''],
    ] as const) {
      expect(w.recent(caller, object, action, 1)).toBe(false);
      expect(w.claim(caller, object, action, 1)).toBe(true);
    }
    // The window passes.
    expect(w.recent(alice, 'lake/b.t', 'table:write-data', 60_000)).toBe(false);
    expect(w.claim(alice, 'lake/b.t', 'table:write-data', 60_000)).toBe(true);
  });

  it('stays bounded: emptied when full, so the next sign records again', () => {
    const w = new AuditWindow(60_000, 10);
    const c = { key: 'k', description: 'd' };
    for (let i = 0; i < 10; i++) expect(w.claim(c, `t${i}`, 'a', 0)).toBe(true);
    expect(w.recent(c, 't0', 'a', 1)).toBe(true);
    expect(w.claim(c, 't10', 'a', 1)).toBe(true);
    expect(w.recent(c, 't0', 'a', 1)).toBe(false);
    expect(w.recent(c, 't10', 'a', 1)).toBe(true);
  });
});
