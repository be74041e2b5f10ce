/**
 * Management routes for functions (SQL UDFs; catalog/management/function-admin.ts): each takes its request as the
 * protocol package types it (PutFunctionRequest), calls one FunctionAdmin method, and writes the answer in
 * loadFunction's shape (`{"metadata": …}`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FunctionAdmin } from '../../../catalog/management/function-admin.js';
import { namespaceParam, sendJson } from '../iceberg/common.js';
import { callerOf } from '../../caller.js';
import { operationRoute } from '../../operation-route.js';

type ByFunction = FastifyRequest<{ Params: { warehouse: string; namespace: string; function: string } }>;

const requestOf = (req: ByFunction) => ({ caller: callerOf(req), warehouse: req.params.warehouse });
/** The stored metadata is JSON text already: spliced, not re-encoded. */
const answer = (metadataJson: string) => `{"metadata":${metadataJson}}`;

export function functionAdminRoutes(app: FastifyInstance, functions: FunctionAdmin): void {
  operationRoute(app, 'getFunction', async (req, reply) =>
    sendJson(reply, answer(await functions.get(requestOf(req), namespaceParam(req.params.namespace), req.params.function))),
  );
  operationRoute(app, 'putFunction', async (req, reply) => {
    const r = await functions.put(requestOf(req), namespaceParam(req.params.namespace), req.params.function, req.body);
    return sendJson(reply, answer(r.metadataJson));
  });
  operationRoute(app, 'dropFunction', async (req, reply) => {
    await functions.drop(requestOf(req), namespaceParam(req.params.namespace), req.params.function);
    return reply.code(204).send();
  });
}
