/**
 * Management routes for functions (SQL UDFs; catalog/management/function-admin.ts): each takes its request as the
 * protocol package types it (PutFunctionRequest), calls one FunctionAdmin method, and writes the answer in
 * loadFunction's shape (`{"metadata": …}`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PutFunctionRequest } from '@lakegate/protocol';
import type { FunctionAdmin } from '../../../catalog/management/function-admin.js';
import { namespaceParam, sendJson } from '../iceberg/common.js';
import { callerOf } from '../../caller.js';

type ByFunction = FastifyRequest<{ Params: { warehouse: string; namespace: string; function: string } }>;

const PATH = '/warehouses/:warehouse/namespaces/:namespace/functions/:function';
const requestOf = (req: ByFunction) => ({ caller: callerOf(req), warehouse: req.params.warehouse });
/** The stored metadata is JSON text already: spliced, not re-encoded. */
const answer = (metadataJson: string) => `{"metadata":${metadataJson}}`;

export function functionAdminRoutes(app: FastifyInstance, functions: FunctionAdmin): void {
  app.get(PATH, { schema: { operationId: 'getFunction' } }, async (req: ByFunction, reply: FastifyReply) =>
    sendJson(reply, answer(await functions.get(requestOf(req), namespaceParam(req.params.namespace), req.params.function))),
  );
  app.put(PATH, { schema: { operationId: 'putFunction' } }, async (req: ByFunction, reply: FastifyReply) => {
    const r = await functions.put(requestOf(req), namespaceParam(req.params.namespace), req.params.function, req.body as PutFunctionRequest);
    return sendJson(reply, answer(r.metadataJson));
  });
  app.delete(PATH, { schema: { operationId: 'dropFunction' } }, async (req: ByFunction, reply: FastifyReply) => {
    await functions.drop(requestOf(req), namespaceParam(req.params.namespace), req.params.function);
    return reply.code(204).send();
  });
}
