/**
 * Draining, shutdown's first step (docs/deployment.md): once `drain()` is called, readiness answers 503 (the ops
 * routes ask `draining()`) and every response carries `Connection: close`, so a load balancer's health check takes
 * the process out and its pooled connections close one by one, while every request that still arrives is answered.
 * The listener closes afterwards (app.close()), when the load balancer has moved away.
 */
import type { FastifyInstance } from 'fastify';

export interface DrainSwitch {
  draining(): boolean;
  drain(): void;
}

export function drainSwitch(app: FastifyInstance): DrainSwitch {
  let draining = false;
  app.addHook('onSend', async (_req, reply) => {
    if (draining) reply.header('connection', 'close');
  });
  return {
    draining: () => draining,
    drain() {
      draining = true;
    },
  };
}

/** Fastify's trustProxy from LAKEGATE_TRUSTED_PROXIES: the listed proxies' X-Forwarded-For names the client; none by default. */
export function trustedProxies(list: string): { trustProxy: string[] } | Record<string, never> {
  const proxies = list
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
  return proxies.length > 0 ? { trustProxy: proxies } : {};
}
