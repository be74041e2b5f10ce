/**
 * Access management through the management API, for tests that need a
 * non-admin principal (or user, or group) holding exactly some grants.
 */
import type { Member, Securable } from '@lakegate/client';
import type { Send } from './iceberg-http.js';

/** What a grant is on and who holds a role: the SDK's types. */
export type { Member, Securable };

/** A request sender acting as an administrator (any Send: in-process inject or HTTP with the admin's token). */
export interface AccessAdmin {
  send: Send;
}

async function expectOk(res: Awaited<ReturnType<Send>>, what: string, ok: number[] = [200, 201, 204]): Promise<void> {
  if (!ok.includes(res.status)) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Creates the role if it does not exist yet. */
export async function ensureRole(admin: Send, role: string): Promise<void> {
  const res = await admin('POST', '/management/v1/roles', { name: role });
  await expectOk(res, `create role ${role}`, [201, 409]);
}

export async function addMember(admin: Send, role: string, member: Member): Promise<void> {
  await ensureRole(admin, role);
  await expectOk(await admin('POST', `/management/v1/roles/${encodeURIComponent(role)}/members`, member), `add ${member.kind} ${member.name} to ${role}`);
}

export async function grant(admin: Send, role: string, privileges: string[], securable: Securable): Promise<void> {
  await ensureRole(admin, role);
  await expectOk(await admin('POST', '/management/v1/grants', { role, privileges, securable }), `grant ${privileges.join(',')} to ${role}`);
}

export async function revoke(admin: Send, role: string, privileges: string[], securable: Securable): Promise<void> {
  await expectOk(await admin('POST', '/management/v1/grants/revoke', { role, privileges, securable }), `revoke ${privileges.join(',')} from ${role}`);
}

/** Gives a service principal the privileges on the securable through a role of its own (`<client id>-role`). */
export async function grantPrincipal(admin: Send, clientId: string, privileges: string[], securable: Securable): Promise<string> {
  const role = `${clientId}-role`;
  await addMember(admin, role, { kind: 'principal', name: clientId });
  await grant(admin, role, privileges, securable);
  return role;
}

/** Everything a data engineer needs in a warehouse: create namespaces, tables and views, read and write, drop (the
 * benchmarks' principal holds the same list). */
export { READ_WRITE_ALL } from '../../bench/lib/privileges.mjs';

/** What a reader needs: see namespaces and tables, read table data and views. */
export const READ_ONLY = ['namespace:list', 'table:list', 'table:read-data', 'view:list', 'view:read'];
