/**
 * Event sinks may not make the catalog connect to internal addresses (server-side request forgery): a warehouse
 * manager or a tenant administrator may point a webhook, a Kafka broker or a NATS server only at public addresses and
 * the networks the operator lists (LAKEGATE_EVENT_SINK_PRIVATE_NETWORKS); a platform administrator chooses any.
 * Refused with 403 in the management error model, audited, nothing stored. Also: a sink's secret never comes back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantPrincipal } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { tokenOf as signIn } from '../support/principals.js';

let cat: TestCatalog;
let platform: Send;
let manager: Send;
let acme: Send;

const tokenOf = (id: string, secret: string) => signIn(cat.lakegate.app, id, secret);

beforeAll(async () => {
  cat = await startInProcess({ LAKEGATE_EVENT_SINK_PRIVATE_NETWORKS: '10.20.0.0/16' }, { auth: true });
  const a = cat.admin();
  platform = bearerSender(cat.lakegate.app, await tokenOf(a.client_id, a.client_secret));
  const m = await platform('POST', '/management/v1/principals', { name: 'wh-manager' });
  await grantPrincipal(platform, m.body['client-id'], ['warehouse:manage'], { type: 'warehouse', warehouse: 'default' });
  manager = bearerSender(cat.lakegate.app, await tokenOf(m.body['client-id'], m.body['client-secret']));
  const t = await platform('POST', '/management/v1/principals', { name: 'acme-admin', tenant: 'acme', roles: ['admin'] });
  expect(t.status, JSON.stringify(t.body)).toBe(201);
  acme = bearerSender(cat.lakegate.app, await tokenOf(t.body['client-id'], t.body['client-secret']));
});
afterAll(async () => cat?.close());

const internalWebhooks = [
  'http://127.0.0.1:9/hook',
  'http://localhost:8080/metrics',
  'http://api.localhost/',
  'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
  'http://metadata.google.internal/computeMetadata/v1/',
  'http://[::1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[64:ff9b::a9fe:a9fe]/',
  'http://[fe80::1]/',
  'http://0x7f000001/',
  'http://2130706433/',
  'http://0.0.0.0:41500/',
  'http://10.0.0.5/',
  'http://10.21.0.1/',
  'http://192.168.1.1/',
  'http://100.64.0.1/',
];

describe('event sink destinations', () => {
  it("refuses a warehouse manager's webhook, Kafka or NATS sink at internal addresses with 403, audited, storing nothing", async () => {
    for (const url of internalWebhooks) {
      const res = await manager('POST', '/management/v1/warehouses/default/event-sinks', { kind: 'webhook', config: { url } });
      expect(res.status, url).toBe(403);
      expect(res.body.error).toMatchObject({ code: 403, type: 'ForbiddenException', message: expect.stringMatching(/only public addresses/) });
    }
    const kafka = await manager('POST', '/management/v1/warehouses/default/event-sinks', {
      kind: 'kafka',
      config: { brokers: ['kafka.example.test:9092', '127.0.0.1:9092'], topic: 'x' },
    });
    expect(kafka.status).toBe(403);
    const nats = await manager('POST', '/management/v1/warehouses/default/event-sinks', {
      kind: 'nats',
      config: { servers: ['nats://[::1]:4222'], stream: 'S', subject: 's' },
    });
    expect(nats.status).toBe(403);
    expect((await platform('GET', '/management/v1/warehouses/default/event-sinks')).body.sinks).toEqual([]);
    const audit = (await platform('GET', '/management/v1/audit?decision=deny&limit=100')).body.events as Array<{ action: string; object: string }>;
    expect(audit.filter((e) => e.action === 'event-sink:destination' && e.object === 'default/event-sinks').length).toBe(internalWebhooks.length + 2);
  });

  it("refuses a tenant administrator's tenant sink at an internal address", async () => {
    const res = await acme('POST', '/management/v1/tenants/acme/event-sinks', { kind: 'webhook', config: { url: 'http://169.254.169.254/latest/api/token' } });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/169\.254\.169\.254 is not a public address/);
    expect((await acme('GET', '/management/v1/tenants/acme/event-sinks')).body.sinks).toEqual([]);
  });

  it('accepts public destinations and the networks the operator listed; a platform administrator chooses any', async () => {
    for (const url of ['https://hooks.example.test/hook', 'http://10.20.3.4:8080/hook', 'http://[::ffff:10.20.0.1]/']) {
      const res = await manager('POST', '/management/v1/warehouses/default/event-sinks', { kind: 'webhook', config: { url } });
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBe(201);
      expect((await manager('DELETE', `/management/v1/warehouses/default/event-sinks/${res.body.sink.id}`)).status).toBe(204);
    }
    const own = await platform('POST', '/management/v1/warehouses/default/event-sinks', { kind: 'webhook', config: { url: 'http://127.0.0.1:9/hook' } });
    expect(own.status).toBe(201);
    expect((await platform('DELETE', `/management/v1/warehouses/default/event-sinks/${own.body.sink.id}`)).status).toBe(204);
  });

  it('never answers a chosen or generated secret again, in views, listings or errors', async () => {
    const chosen = `whsec_${Buffer.from('a-chosen-secret-of-32-bytes!!!!!').toString('base64')}`;
    const created = await manager('POST', '/management/v1/warehouses/default/event-sinks', {
      kind: 'webhook',
      config: { url: 'https://hooks.example.test/h' },
      secret: chosen,
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain(chosen.slice(6));
    const bad = await manager('POST', '/management/v1/warehouses/default/event-sinks', {
      kind: 'webhook',
      config: { url: 'https://hooks.example.test/h' },
      secret: `${chosen}!`,
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).not.toContain(chosen.slice(6, 30));
    const broker = await manager('POST', '/management/v1/warehouses/default/event-sinks', {
      kind: 'kafka',
      config: { brokers: ['kafka.example.test:9092'], topic: 't', sasl: { mechanism: 'plain', username: 'u' } },
      secret: 'sasl-password-never-shown',
    });
    expect(broker.status).toBe(201);
    const views = JSON.stringify([
      (await manager('GET', '/management/v1/warehouses/default/event-sinks')).body,
      (await manager('GET', `/management/v1/warehouses/default/event-sinks/${created.body.sink.id}`)).body,
    ]);
    expect(views).not.toContain(chosen.slice(6));
    expect(views).not.toContain('sasl-password-never-shown');
    expect(views).toContain('"has-secret":true');
    // A password in the stored config is refused without echoing it.
    const inConfig = await manager('POST', '/management/v1/warehouses/default/event-sinks', {
      kind: 'kafka',
      config: { brokers: ['kafka.example.test:9092'], topic: 't', password: 'hunter2-in-config' },
    });
    expect(inConfig.status).toBe(400);
    expect(JSON.stringify(inConfig.body)).not.toContain('hunter2');
    for (const id of [created.body.sink.id, broker.body.sink.id])
      expect((await manager('DELETE', `/management/v1/warehouses/default/event-sinks/${id}`)).status).toBe(204);
    expect(cat.logs()).not.toContain('sasl-password-never-shown');
    expect(cat.logs()).not.toMatch(/unhandled error/);
  });
});
