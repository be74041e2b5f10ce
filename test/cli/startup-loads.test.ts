/**
 * `lakegate serve` loads only what its configuration uses (docs/deployment.md, "Start-up"): with the default
 * configuration (SQLite, the local warehouse, no tracing, no sinks, no federation) none of the optional adapters'
 * libraries is loaded, by the server or its worker threads, through start, Iceberg requests and shutdown. An adapter
 * configured at run time still loads on first use: a Kafka sink made through the management API brings kafkajs in.
 * The server is a real process of the built CLI; test/support/package-loads.mjs records every npm package it loads.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSender, simpleSchema } from '../support/iceberg-http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { tempDir } from '../support/temp.js';

/** The libraries of adapters a default configuration does not use. */
const OPTIONAL = [
  'kafkajs',
  '@nats-io/jetstream',
  '@nats-io/transport-node',
  '@azure/storage-blob',
  '@azure/storage-file-datalake',
  'google-auth-library',
  'thrift',
  'kerberos',
  '@aws-sdk/client-glue',
  'pg',
  '@opentelemetry/sdk-trace',
  '@opentelemetry/exporter-trace-otlp-http',
  'apache-arrow',
  '@lancedb/lancedb',
  'parquet-wasm',
  'roaring-wasm',
  '@openfga/sdk',
];

const HOOK = pathToFileURL(path.resolve(import.meta.dirname, '..', 'support', 'package-loads.mjs')).href;

let temp: ReturnType<typeof tempDir>;
let log: string;
let server: ServerProcess;

const loaded = (): Set<string> => new Set(existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []);

beforeAll(async () => {
  temp = tempDir('lakegate-loads-');
  log = path.join(temp.dir, 'packages.txt');
  const nodeOptions = [process.env.NODE_OPTIONS, `--import=${HOOK}`].filter(Boolean).join(' ');
  server = await startServer({ env: { NODE_OPTIONS: nodeOptions, LAKEGATE_TEST_PACKAGE_LOG: log } });
});
afterAll(async () => {
  await server?.stop();
  temp?.cleanup();
});

describe('lakegate serve with the default configuration', { timeout: 120_000 }, () => {
  it('loads none of the optional adapters through start and Iceberg requests', async () => {
    const send = httpSender(server.url, await server.token());
    expect((await send('GET', '/v1/config?warehouse=default')).status).toBe(200);
    expect((await send('POST', '/v1/default/namespaces', { namespace: ['loads'] })).status).toBe(200);
    expect((await send('POST', '/v1/default/namespaces/loads/tables', { name: 't', schema: simpleSchema })).status).toBe(200);
    expect((await send('GET', '/v1/default/namespaces/loads/tables/t')).status).toBe(200);
    const packages = loaded();
    // The record works: what the default configuration does use is in it.
    expect(packages).toContain('better-sqlite3');
    expect(packages).toContain('fastify');
    expect(OPTIONAL.filter((name) => packages.has(name))).toEqual([]);
  });

  it('loads a sink adapter when a sink of its kind is configured at run time', async () => {
    const send = httpSender(server.url, await server.token());
    const created = await send('POST', '/management/v1/warehouses/default/event-sinks', {
      kind: 'kafka',
      config: { brokers: ['127.0.0.1:9'], topic: 'lakegate-loads' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // An event for the sink: its delivery builds the sink, which imports kafkajs (the broker is not there).
    expect((await send('POST', '/v1/default/namespaces', { namespace: ['after-sink'] })).status).toBe(200);
    await expect.poll(() => loaded().has('kafkajs')).toBe(true);
  });
});
