/**
 * Management routes for access: roles, role members, grants and explain
 * (catalog/management/access-admin.ts). Members and securables are named as
 * JSON objects: {"kind":"group","issuer":"https://idp/realms/x","name":"analysts"},
 * {"type":"namespace","warehouse":"lake","namespace":["sales"]}.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessAdmin } from '../../../catalog/management/access-admin.js';
import { callerOf } from '../../caller.js';

type ByRole = FastifyRequest<{ Params: { role: string }; Querystring: { tenant?: string } }>;

/** A query parameter as the contract validated it (http/plugins/contract.ts refuses repeated ones). */
function single(req: FastifyRequest, name: string): string | undefined {
  return (req.query as Record<string, string | undefined>)[name];
}

/** A securable named by query parameters (type, warehouse, namespace as dot-free levels joined by %1F, name), for listing grants. */
function securableQuery(req: FastifyRequest): unknown {
  const type = single(req, 'type');
  if (type === undefined) return undefined;
  const namespace = single(req, 'namespace');
  const name = single(req, 'name');
  return { type, warehouse: single(req, 'warehouse'), ...(namespace !== undefined ? { namespace: namespace.split('\u001f') } : {}), ...(name !== undefined ? { name } : {}) };
}

export function accessRoutes(app: FastifyInstance, admin: AccessAdmin): void {
  app.get('/roles', { schema: { operationId: 'listRoles' } }, async (req) => ({ roles: await admin.listRoles(callerOf(req), single(req, 'tenant')) }));

  app.post('/roles', { schema: { operationId: 'createRole' } }, async (req, reply) => reply.code(201).send(await admin.createRole(callerOf(req), req.body)));

  app.get('/roles/:role', { schema: { operationId: 'getRole' } }, async (req: ByRole) => admin.getRole(callerOf(req), req.params.role, single(req, 'tenant')));

  app.delete('/roles/:role', { schema: { operationId: 'deleteRole' } }, async (req: ByRole, reply) => {
    await admin.deleteRole(callerOf(req), req.params.role, single(req, 'tenant'));
    return reply.code(204).send();
  });

  app.get('/roles/:role/members', { schema: { operationId: 'listRoleMembers' } }, async (req: ByRole) => ({ members: await admin.listMembers(callerOf(req), req.params.role, single(req, 'tenant')) }));

  app.post('/roles/:role/members', { schema: { operationId: 'addRoleMember' } }, async (req: ByRole, reply) => {
    const { member, created } = await admin.addMember(callerOf(req), req.params.role, req.body, single(req, 'tenant'));
    return reply.code(created ? 201 : 200).send(member);
  });

  // The member to remove is named in the body, as it was added (a DELETE with a body is awkward for some clients).
  app.post('/roles/:role/members/remove', { schema: { operationId: 'removeRoleMember' } }, async (req: ByRole, reply) => {
    await admin.removeMember(callerOf(req), req.params.role, req.body, single(req, 'tenant'));
    return reply.code(204).send();
  });

  app.get('/grants', { schema: { operationId: 'listGrants' } }, async (req) => ({
    grants: await admin.listGrants(callerOf(req), { role: single(req, 'role'), tenant: single(req, 'tenant'), securable: securableQuery(req) }),
  }));

  app.post('/grants', { schema: { operationId: 'grant' } }, async (req, reply) => reply.code(201).send({ grants: await admin.grant(callerOf(req), req.body) }));

  app.post('/grants/revoke', { schema: { operationId: 'revoke' } }, async (req) => admin.revoke(callerOf(req), req.body));

  app.post('/explain', { schema: { operationId: 'explain' } }, async (req) => admin.explain(callerOf(req), req.body));
}
