/**
 * The contract of console session storage (auth/sessions/ports.ts): every adapter (memory, SQLite, PostgreSQL)
 * runs this same suite.
 */
import { describe, expect, it } from 'vitest';
import type { SessionRecord, SessionRepository } from '../../packages/server/src/auth/sessions/ports.js';

export function sessionContract(name: string, make: () => Promise<{ sessions: SessionRepository; close(): Promise<void> }>): void {
  describe(`${name} console session storage`, () => {
    const principal: SessionRecord = {
      idHash: 'hash-principal',
      identity: { kind: 'service', subject: 'engine-1', issuer: 'http://127.0.0.1:8181', tenant: 'default', groups: [], secretVersion: 3 },
      createdAtMs: 1_000,
      expiresAtMs: 10_000,
    };
    const user: SessionRecord = {
      idHash: 'hash-user',
      identity: { kind: 'user', subject: 'alice', issuer: 'https://idp.example/realms/x', tenant: 'acme', groups: ['analysts', 'eu'] },
      createdAtMs: 2_000,
      expiresAtMs: 5_000,
    };

    it('stores, reads back exactly, deletes and expires sessions', async () => {
      const { sessions, close } = await make();
      try {
        await sessions.insertSession(principal);
        await sessions.insertSession(user);
        await expect(sessions.insertSession(principal)).rejects.toThrow();
        expect(await sessions.getSession('hash-principal')).toEqual(principal);
        expect(await sessions.getSession('hash-user')).toEqual(user);
        expect(await sessions.getSession('nope')).toBeUndefined();
        expect(await sessions.deleteExpiredSessions(4_999)).toBe(0);
        expect(await sessions.deleteExpiredSessions(5_000)).toBe(1);
        expect(await sessions.getSession('hash-user')).toBeUndefined();
        expect(await sessions.deleteSession('hash-principal')).toBe(true);
        expect(await sessions.deleteSession('hash-principal')).toBe(false);
        expect(await sessions.getSession('hash-principal')).toBeUndefined();
      } finally {
        await close();
      }
    });
  });
}
