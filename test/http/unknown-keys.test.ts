/**
 * Which bodies take keys the contract does not name (issue 52). The management API is Lakegate's own and strict:
 * an unknown key in any object of any management request body is a 400 naming it (a typo such as
 * `"dry-runn": true` is never read as "not given"), and so is an unknown field of a warehouse's storage profile or
 * secret, which the storage layer checks. Iceberg and Lance bodies keep accepting unknown fields, as their specs
 * ask of servers, so that newer clients sending fields this server does not know yet keep working; so do the bodies
 * Trino's OPA plugin sends to the trino-opa decision endpoints (it adds fields from release to release). The requests
 * are generated from the schemas (test/support/schema-example.ts): a new operation is covered when it is added.
 */
import { describe, expect, it } from 'vitest';
import { RequestValidation } from '@lakegate/protocol/validation';
import { catalogForFile } from '../support/file-catalog.js';
import { example, withAt } from '../support/schema-example.js';
import { OPERATIONS } from '@lakegate/protocol';
import { JSON_BODY_OPERATIONS as jsonBodies, envelopeIssues, messageOf, pathOf } from '../support/contract-walk.js';

const file = catalogForFile();
const send = file.send;

const validation = new RequestValidation();
const KEY = 'not-a-field';

describe('the management API refuses unknown keys', () => {
  it('in every object of every request body, with a 400 naming the key', async () => {
    const wrong: string[] = [];
    let checked = 0;
    // Trino's OPA decision endpoints excepted: their bodies are Trino's (protocol trino-opa/), open like Iceberg's.
    for (const op of jsonBodies.filter((o) => o.surface === 'management' && !o.operationId.startsWith('trinoOpa'))) {
      const body = example(op.body!.schema);
      for (const object of body.objects.filter((o) => !o.map)) {
        const target = structuredClone(object.pointer === '' ? body.value : pointerGet(body.value, object.pointer)) as Record<string, unknown>;
        if (typeof target !== 'object' || target === null || Array.isArray(target)) continue;
        const res = await send(op.method, pathOf(op), withAt(body.value, object.pointer, { ...target, [KEY]: 1 }));
        checked++;
        const message = messageOf(op, res.body);
        if (res.status !== 400 || envelopeIssues(op, res.body).length > 0 || !message.includes(KEY))
          wrong.push(`${op.operationId} ${object.pointer || '/'}: ${res.status} ${message}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(15);
  });

  it("in a warehouse's storage profile and storage secret, naming the key and never echoing a value", async () => {
    const create = (profile: Record<string, unknown>, secret?: Record<string, unknown>) =>
      send('POST', '/management/v1/warehouses', {
        name: 'strict-wh',
        'storage-root': 's3://strict-bucket/wh',
        'storage-profile': { type: 's3', bucket: 'strict-bucket', ...profile },
        ...(secret ? { 'storage-secret': secret } : {}),
      });
    const typo = await create({ 'sts-enabeld': false });
    expect(typo.status).toBe(400);
    expect(typo.body.error.message).toMatch(/storage-profile\.sts-enabeld is not a field of this storage type/);
    const otherType = await create({ 'sas-scope': 'container' });
    expect(otherType.body.error.message).toMatch(/storage-profile\.sas-scope is not a field/);
    const secret = await create({}, { 'access-key-id': 'AKIA', 'secret-access-key': 'hunter2-secret', 'session-tokn': 'hunter3-secret' });
    expect(secret.status).toBe(400);
    expect(secret.body.error.message).toMatch(/storage-secret\.session-tokn is not a field/);
    expect(JSON.stringify(secret.body)).not.toMatch(/hunter/);
  });
});

describe('Iceberg, Lance and Trino OPA bodies accept unknown fields (newer clients)', () => {
  it('every Iceberg, Lance and Trino OPA request body validates with an unknown top-level field', () => {
    const refused = jsonBodies
      .filter((op) => op.surface === 'iceberg' || op.surface === 'lance' || op.operationId.startsWith('trinoOpa'))
      .map((op) => ({
        op: op.operationId,
        issues: validation.validate(op, {
          params: example(op.params ?? { type: 'object' }).value as never,
          body: { ...(example(op.body!.schema).value as object), [KEY]: { nested: true } },
        }),
      }))
      .filter((r) => r.issues.length > 0);
    expect(refused).toEqual([]);
  });

  it('every Iceberg and Lance operation validates with an unknown query parameter', () => {
    // Newer Iceberg clients add query parameters (1.12 sends referenced-by, and planId on loadCredentials): one this
    // server does not know yet is ignored, as an unknown body field is.
    const ops = OPERATIONS.filter((op) => op.surface === 'iceberg' || op.surface === 'lance');
    const refused = ops
      .map((op) => ({
        op: op.operationId,
        issues: validation.validate(op, {
          params: example(op.params ?? { type: 'object' }).value as never,
          query: { [KEY]: 'x' },
          ...(op.body?.contentType === 'application/json' ? { body: example(op.body.schema).value } : {}),
        }),
      }))
      .filter((r) => r.issues.length > 0);
    expect(refused).toEqual([]);
    expect(ops.length).toBeGreaterThan(40);
  });

  it('a load table with an unknown query parameter and a referenced-by chain is served', async () => {
    expect((await send('POST', '/v1/default/namespaces', { namespace: ['newer_q'] })).status).toBe(200);
    const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: false }] };
    expect((await send('POST', '/v1/default/namespaces/newer_q/tables', { name: 't', schema })).status).toBe(200);
    const loaded = await send('GET', `/v1/default/namespaces/newer_q/tables/t?${KEY}=x&referenced-by=newer_q%1Fv`);
    expect(loaded.status).toBe(200);
    expect(loaded.body.metadata['table-uuid']).toEqual(expect.any(String));
    expect((await send('GET', `/v1/default/namespaces/newer_q/tables/t/credentials?${KEY}=x&referenced-by=newer_q%1Fv`)).status).toBe(200);
  });

  it('a create namespace with an unknown field is served, on both surfaces', async () => {
    expect((await send('POST', '/v1/default/namespaces', { namespace: ['newer'], [KEY]: 'x' })).status).toBe(200);
    expect((await send('POST', '/lance/default/v1/namespace/newer2/create', { id: ['newer2'], [KEY]: 'x' })).status).toBe(200);
  });
});

function pointerGet(value: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], value);
}
