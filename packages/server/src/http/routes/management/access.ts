/**
 * Management routes for access: roles, role members, grants and explain
 * (catalog/management/access-admin.ts). Members and securables are named as
 * JSON objects: {"kind":"group","issuer":"https://idp/realms/x","name":"analysts"},
 * {"type":"namespace","warehouse":"lake","namespace":["sales"]}.
 */
import type { FastifyInstance } from 'fastify';
import type { OperationRequest } from '@lakegate/protocol';
import type { AccessAdmin } from '../../../catalog/management/access-admin.js';
import { callerOf } from '../../caller.js';
import { operationRoute } from '../../operation-route.js';

/** A securable named by query parameters (type, warehouse, namespace as dot-free levels joined by %1F, name), for listing grants. */
function securableQuery(query: OperationRequest<'listGrants'>['Querystring']): unknown {
  const { type, namespace, name } = query;
  if (type === undefined) return undefined;
  return {
    type,
    warehouse: query.warehouse,
    ...(namespace !== undefined ? { namespace: namespace.split('\u001f') } : {}),
    ...(name !== undefined ? { name } : {}),
  };
}

export function accessRoutes(app: FastifyInstance, admin: AccessAdmin): void {
  operationRoute(app, 'listRoles', async (req) => ({ roles: await admin.listRoles(callerOf(req), req.query.tenant) }));

  operationRoute(app, 'createRole', async (req, reply) => reply.code(201).send(await admin.createRole(callerOf(req), req.body)));

  operationRoute(app, 'getRole', async (req) => admin.getRole(callerOf(req), req.params.role, req.query.tenant));

  operationRoute(app, 'deleteRole', async (req, reply) => {
    await admin.deleteRole(callerOf(req), req.params.role, req.query.tenant);
    return reply.code(204).send();
  });

  operationRoute(app, 'listRoleMembers', async (req) => ({ members: await admin.listMembers(callerOf(req), req.params.role, req.query.tenant) }));

  operationRoute(app, 'addRoleMember', async (req, reply) => {
    const { member, created } = await admin.addMember(callerOf(req), req.params.role, req.body, req.query.tenant);
    return reply.code(created ? 201 : 200).send(member);
  });

  // The member to remove is named in the body, as it was added (a DELETE with a body is awkward for some clients).
  operationRoute(app, 'removeRoleMember', async (req, reply) => {
    await admin.removeMember(callerOf(req), req.params.role, req.body, req.query.tenant);
    return reply.code(204).send();
  });

  operationRoute(app, 'listGrants', async (req) => ({
    grants: await admin.listGrants(callerOf(req), { role: req.query.role, tenant: req.query.tenant, securable: securableQuery(req.query) }),
  }));

  operationRoute(app, 'grant', async (req, reply) => reply.code(201).send({ grants: await admin.grant(callerOf(req), req.body) }));

  operationRoute(app, 'revoke', async (req) => admin.revoke(callerOf(req), req.body));

  operationRoute(app, 'explain', async (req) => admin.explain(callerOf(req), req.body));
}
