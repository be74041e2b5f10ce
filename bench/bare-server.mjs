#!/usr/bin/env node
/**
 * The bare Node limit: a plain node:http server that answers each request path with the exact
 * status, headers and body Lakegate answered it with (recorded by bench/run.mjs after seeding).
 * No routing beyond one Map lookup, no parsing, no logging, one write per response: what any Node
 * HTTP server on this machine and core must at least spend on a request/response of that size.
 *
 *   node bench/bare-server.mjs RESPONSES.json PORT
 *
 * RESPONSES.json: { "<path and query>": { "status": 200, "headers": [[name, value], …], "body": "<base64>" } }
 */
import fs from 'node:fs';
import http from 'node:http';

const [file, port] = process.argv.slice(2);
const recorded = JSON.parse(fs.readFileSync(file, 'utf8'));
const responses = new Map(
  Object.entries(recorded).map(([p, r]) => {
    const body = Buffer.from(r.body, 'base64');
    // Headers as one flat array in Lakegate's order; Node adds Date, Connection and Keep-Alive itself, as for Lakegate.
    const headers = r.headers.filter(([n]) => !/^(date|connection|keep-alive|transfer-encoding|content-length)$/i.test(n)).flat();
    headers.push('content-length', String(body.length));
    return [p, { status: r.status, headers, body }];
  }),
);
const notFound = Buffer.from('{"error":{"message":"not recorded","type":"NotFoundException","code":404}}');

const server = http.createServer((req, res) => {
  const r = responses.get(req.url);
  if (r === undefined) {
    res.writeHead(404, ['content-type', 'application/json', 'content-length', String(notFound.length)]);
    res.end(notFound);
    return;
  }
  res.writeHead(r.status, r.headers);
  res.end(r.body);
});
// Lakegate (Fastify) keeps idle connections 72 s; the same here so no connection is closed mid-cell.
server.keepAliveTimeout = 72_000;
server.listen(Number(port), '127.0.0.1');
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
