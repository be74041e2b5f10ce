import { describe, expect, it } from 'vitest';
import type { Actor } from '../auth/actor.js';
import { callerOfActor } from './caller.js';

const engine: Actor = {
  subject: 'spark',
  tenant: 't1',
  kind: 'service',
  issuer: 'https://lakegate',
  roles: [],
  groups: [],
  method: 'jwt',
  scopes: ['catalog:read'],
};

describe('callerOfActor', () => {
  it('builds the caller of one actor once: later requests share its members and differ only in the request id', () => {
    const first = callerOfActor(engine, 'req-1');
    const second = callerOfActor(engine, 'req-2');
    expect(first.requestId).toBe('req-1');
    expect(second.requestId).toBe('req-2');
    expect(second.members).toBe(first.members);
    expect({ ...second, requestId: 'req-1' }).toEqual(first);
    expect(first).toMatchObject({
      tenant: 't1',
      description: 'service:spark',
      admin: false,
      unrestricted: false,
      members: [{ kind: 'principal', issuer: '', name: 'spark' }],
    });
    expect(first.scope).toBeDefined();
  });

  it('derives every field from the actor it is given: an equal but distinct actor of another subject is another caller', () => {
    const admin: Actor = { ...engine, subject: 'root', roles: ['admin'], scopes: undefined };
    const caller = callerOfActor(admin);
    expect(caller).toMatchObject({ description: 'service:root', admin: true, members: [{ kind: 'principal', issuer: '', name: 'root' }] });
    expect(caller.scope).toBeUndefined();
    expect(callerOfActor(engine).admin).toBe(false);
    const user: Actor = { subject: 'alice', tenant: 't1', kind: 'user', issuer: 'https://idp', roles: [], groups: ['eng'], method: 'jwt' };
    expect(callerOfActor(user).members).toEqual([
      { kind: 'user', issuer: 'https://idp', name: 'alice' },
      { kind: 'group', issuer: 'https://idp', name: 'eng' },
    ]);
  });
});
