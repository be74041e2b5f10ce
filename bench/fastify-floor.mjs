#!/usr/bin/env node
/**
 * The Fastify floor: what the framework Lakegate is built on costs by itself. A Fastify server
 * (the version Lakegate uses, its defaults, no logger) with Lakegate's route shapes: the Iceberg
 * surface as an encapsulated plugin under /v1 with its path parameters, answering each request with
 * the exact status, headers and body Lakegate answered it with (recorded by bench/run.mjs after
 * seeding). No authentication, no hooks, no database, no serialisation: routing, the request and
 * reply objects and Fastify's send path only.
 *
 * Beside the bare-Node limit (bench/bare-server.mjs: node:http and one write) it splits the gap
 * between Lakegate and the limit into what any Fastify application pays and what Lakegate's own
 * work (authentication, authorization, the catalog read, logging, metrics) costs.
 *
 *   node bench/fastify-floor.mjs RESPONSES.json PORT
 *
 * RESPONSES.json: { "<path and query>": { "status": 200, "headers": [[name, value], …], "body": "<base64>" } }
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Lakegate's own Fastify (a dependency of packages/server), not whatever a global resolution finds.
const serverPackage = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'server', 'package.json');
const Fastify = createRequire(serverPackage)('fastify');

const [file, port] = process.argv.slice(2);
const recorded = JSON.parse(fs.readFileSync(file, 'utf8'));
const responses = new Map(
  Object.entries(recorded).map(([p, r]) => {
    // Fastify writes content-length itself; Node adds Date, Connection and Keep-Alive, as for Lakegate.
    const headers = Object.fromEntries(r.headers.filter(([n]) => !/^(date|connection|keep-alive|transfer-encoding|content-length)$/i.test(n)));
    return [p, { status: r.status, headers, body: Buffer.from(r.body, 'base64') }];
  }),
);

// Lakegate's server options that bear on the request path (packages/server/src/app.ts).
const app = Fastify({ logger: false, exposeHeadRoutes: false, return503OnClosing: true, routerOptions: { maxParamLength: 2048 }, keepAliveTimeout: 72_000 });

async function replay(req, reply) {
  const r = responses.get(req.url);
  if (r === undefined) return reply.code(404).send({ error: { message: 'not recorded', type: 'NotFoundException', code: 404 } });
  return reply.code(r.status).headers(r.headers).send(r.body);
}

await app.register(
  async (v1) => {
    v1.get('/config', replay);
    v1.get('/:prefix/namespaces/:namespace/tables', replay);
    v1.get('/:prefix/namespaces/:namespace/tables/:table', replay);
    // Remote signing (bench/signing.mjs): a POST whose small JSON body Fastify's own parser reads.
    v1.post('/:prefix/namespaces/:namespace/tables/:table/sign', replay);
  },
  { prefix: '/v1' },
);
await app.listen({ host: '127.0.0.1', port: Number(port) });
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => app.close().then(() => process.exit(0)));
