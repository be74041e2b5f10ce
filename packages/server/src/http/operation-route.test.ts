import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { useContract } from './plugins/contract.js';
import { operationRoute } from './operation-route.js';

/** An app with the Iceberg surface's contract at /v1 and the routes `register` adds there. */
async function icebergApp(register: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(
    async (surface) => {
      useContract(surface, 'iceberg');
      register(surface);
    },
    { prefix: '/v1' },
  );
  await app.ready();
  return app;
}

describe('operationRoute', () => {
  it("serves the operation at its own method and path, with the request as the contract validated it (the spec's plan-id as planId)", async () => {
    const seen: unknown[] = [];
    const app = await icebergApp((surface) => {
      operationRoute(surface, 'planTableScan', async (req) => {
        seen.push({ table: req.params.table, namespace: req.params.namespace, select: req.body.select, caseSensitive: req.body['case-sensitive'] });
        return {};
      });
      operationRoute(surface, 'fetchPlanningResult', async (req) => ({ planId: req.params.planId }));
    });
    const planned = await app.inject({
      method: 'POST',
      url: '/v1/lake/namespaces/sales/tables/orders/plan',
      payload: { select: ['id'], 'case-sensitive': false },
    });
    expect(planned.statusCode).toBe(200);
    expect(seen).toEqual([{ table: 'orders', namespace: 'sales', select: ['id'], caseSensitive: false }]);

    // The body schema of planTableScan is the one the handler's type is read from: a select that is not a list never reaches it.
    const refused = await app.inject({ method: 'POST', url: '/v1/lake/namespaces/sales/tables/orders/plan', payload: { select: 'id' } });
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    expect(refused.body).toContain('select');
    expect(seen).toHaveLength(1);

    // The method comes from the operation too: GET is fetchPlanningResult's, not planTableScan's.
    const fetched = await app.inject({ method: 'GET', url: '/v1/lake/namespaces/sales/tables/orders/plan/p-1' });
    expect(fetched.json()).toEqual({ planId: 'p-1' });
    expect((await app.inject({ method: 'GET', url: '/v1/lake/namespaces/sales/tables/orders/plan' })).statusCode).toBe(404);
    await app.close();
  });

  it('refuses a surface mount the operation is not under, before the server starts', async () => {
    await expect(icebergApp((surface) => operationRoute(surface, 'loadTable', async () => ({}), { under: '/trino-opa' }))).rejects.toThrow(
      /loadTable: \/:prefix\/namespaces\/:namespace\/tables\/:table is not under \/trino-opa/,
    );
  });
});
