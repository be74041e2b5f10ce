/** Management routes for service principals and their keys: each calls one PrincipalAdmin method. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PrincipalAdmin } from '../../../auth/management/principal-admin.js';

type ById = FastifyRequest<{ Params: { clientId: string } }>;
type ByKey = FastifyRequest<{ Params: { clientId: string; keyId: string } }>;

export function principalRoutes(app: FastifyInstance, admin: PrincipalAdmin): void {
  app.get('/principals', { schema: { operationId: 'listPrincipals' } }, async (req) => ({ principals: await admin.list(req.actor) }));

  app.post('/principals', { schema: { operationId: 'createPrincipal' } }, async (req, reply) => reply.code(201).send(await admin.create(req.actor, req.body)));

  app.post('/principals/:clientId/rotate-secret', { schema: { operationId: 'rotatePrincipalSecret' } }, async (req: ById) => admin.rotateSecret(req.actor, req.params.clientId));

  app.put('/principals/:clientId/delegation', { schema: { operationId: 'setDelegation' } }, async (req: ById) => admin.setDelegation(req.actor, req.params.clientId, req.body));

  app.post('/principals/:clientId/disable', { schema: { operationId: 'disablePrincipal' } }, async (req: ById) => admin.setDisabled(req.actor, req.params.clientId, true));

  app.post('/principals/:clientId/enable', { schema: { operationId: 'enablePrincipal' } }, async (req: ById) => admin.setDisabled(req.actor, req.params.clientId, false));

  app.post('/principals/:clientId/revoke-tokens', { schema: { operationId: 'revokePrincipalTokens' } }, async (req: ById, reply) => {
    await admin.revokeTokens(req.actor, req.params.clientId);
    return reply.code(204).send();
  });

  app.get('/principals/:clientId/access-keys', { schema: { operationId: 'listAccessKeys' } }, async (req: ById) => admin.listAccessKeys(req.actor, req.params.clientId));

  app.post('/principals/:clientId/access-keys', { schema: { operationId: 'createAccessKey' } }, async (req: ById, reply) =>
    reply.code(201).send(await admin.createAccessKey(req.actor, req.params.clientId)),
  );

  app.delete('/principals/:clientId/access-keys/:keyId', { schema: { operationId: 'revokeAccessKey' } }, async (req: ByKey, reply) => {
    await admin.revokeAccessKey(req.actor, req.params.clientId, req.params.keyId);
    return reply.code(204).send();
  });

  app.get('/principals/:clientId/api-keys', { schema: { operationId: 'listApiKeys' } }, async (req: ById) => admin.listApiKeys(req.actor, req.params.clientId));

  app.post('/principals/:clientId/api-keys', { schema: { operationId: 'createApiKey' } }, async (req: ById, reply) =>
    reply.code(201).send(await admin.createApiKey(req.actor, req.params.clientId, req.body)),
  );

  app.delete('/api-keys/:keyId', { schema: { operationId: 'revokeApiKey' } }, async (req: FastifyRequest<{ Params: { keyId: string } }>, reply) => {
    await admin.revokeApiKey(req.actor, req.params.keyId);
    return reply.code(204).send();
  });
}
