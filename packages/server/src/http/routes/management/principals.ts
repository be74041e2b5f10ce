/** Management routes for service principals and their keys: each calls one PrincipalAdmin method. */
import type { FastifyInstance } from 'fastify';
import type { PrincipalAdmin } from '../../../auth/management/principal-admin.js';
import { operationRoute } from '../../operation-route.js';

export function principalRoutes(app: FastifyInstance, admin: PrincipalAdmin): void {
  operationRoute(app, 'listPrincipals', async (req) => ({ principals: await admin.list(req.actor) }));

  operationRoute(app, 'createPrincipal', async (req, reply) => reply.code(201).send(await admin.create(req.actor, req.body)));

  operationRoute(app, 'rotatePrincipalSecret', async (req) => admin.rotateSecret(req.actor, req.params.clientId));

  operationRoute(app, 'setDelegation', async (req) => admin.setDelegation(req.actor, req.params.clientId, req.body));

  operationRoute(app, 'disablePrincipal', async (req) => admin.setDisabled(req.actor, req.params.clientId, true));

  operationRoute(app, 'enablePrincipal', async (req) => admin.setDisabled(req.actor, req.params.clientId, false));

  operationRoute(app, 'revokePrincipalTokens', async (req, reply) => {
    await admin.revokeTokens(req.actor, req.params.clientId);
    return reply.code(204).send();
  });

  operationRoute(app, 'listAccessKeys', async (req) => admin.listAccessKeys(req.actor, req.params.clientId));

  operationRoute(app, 'createAccessKey', async (req, reply) => reply.code(201).send(await admin.createAccessKey(req.actor, req.params.clientId)));

  operationRoute(app, 'revokeAccessKey', async (req, reply) => {
    await admin.revokeAccessKey(req.actor, req.params.clientId, req.params.keyId);
    return reply.code(204).send();
  });

  operationRoute(app, 'listApiKeys', async (req) => admin.listApiKeys(req.actor, req.params.clientId));

  operationRoute(app, 'createApiKey', async (req, reply) => reply.code(201).send(await admin.createApiKey(req.actor, req.params.clientId, req.body)));

  operationRoute(app, 'revokeApiKey', async (req, reply) => {
    await admin.revokeApiKey(req.actor, req.params.keyId);
    return reply.code(204).send();
  });
}
