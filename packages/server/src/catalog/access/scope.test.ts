import { describe, expect, it } from 'vitest';
import type { Caller, Warehouse } from '../ports/index.js';
import { AccessService, type AccessServiceDeps } from './access-service.js';
import { PRIVILEGES, scopeAllows } from '../privileges.js';

const warehouse: Warehouse = { name: 'lake', tenant: 'default', storageRoot: 'file:///lake', properties: {}, createdAtMs: 0, storageProfile: {} };
const path = { warehouse: 'lake', namespaces: [] };
// An administrator passes every check without asking the authorizer: only its scope can limit it.
const admin = (scope?: Caller['scope']): Caller => ({
  tenant: 'default',
  description: 'service:admin',
  key: 'admin',
  members: [],
  admin: true,
  unrestricted: false,
  ...(scope ? { scope } : {}),
});
const service = new AccessService({ clock: { now: () => 0 }, cacheTtlMs: 1000 } as unknown as AccessServiceDeps);
const checks = [...PRIVILEGES, 'any' as const].map((privilege) => ({ privilege, path }));
const allowed = async (caller: Caller) => {
  const answers = await service.allows({ warehouse, caller }, checks);
  return checks.filter((_, i) => answers[i]).map((c) => c.privilege);
};

describe('OAuth scopes in the access rules', () => {
  it('leaves a read-only scope the reading privileges only, for administrators too', async () => {
    expect(await allowed(admin())).toHaveLength(checks.length);
    expect((await allowed(admin({ read: true, write: false, management: false }))).sort()).toEqual([
      'any',
      'function:list',
      'function:read',
      'namespace:list',
      'table:list',
      'table:read-data',
      'table:read-metadata',
      'view:list',
      'view:read',
    ]);
    expect(await allowed(admin({ read: false, write: false, management: true }))).toEqual(['grants:manage']);
    expect(await allowed(admin({ read: true, write: true, management: true }))).toHaveLength(checks.length);
  });

  it('never lets a scope grant anything by itself', () => {
    expect(scopeAllows({ read: true, write: true, management: true }, 'table:write-data')).toBe(true);
    expect(scopeAllows({ read: true, write: false, management: true }, 'table:write-data')).toBe(false);
    expect(scopeAllows({ read: false, write: true, management: false }, 'table:read-data')).toBe(false);
  });
});
