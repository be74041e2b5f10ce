/**
 * Warehouse settings can be changed (issue 52): POST /management/v1/warehouses/{warehouse}/properties sets and removes
 * properties, checked as at creation (drop.retention-ms, maintenance.interval-ms, history.expire.*), by an administrator
 * of the warehouse's tenant, with the storage-authority rule on extra-location-roots, audited as warehouse.updated. A
 * warehouse of another tenant is answered as a missing one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import type { Send } from '../support/iceberg-http.js';
import { tokenOf } from '../support/principals.js';

let cat: TestCatalog;
let platform: Send;
let acme: Send;
const S3_SECRET = { 'access-key-id': 'acme-key', 'secret-access-key': 'acme-secret-value' };

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  const admin = cat.admin();
  platform = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, admin.client_id, admin.client_secret));
  const created = await platform('POST', '/management/v1/principals', { name: 'acme-admin', tenant: 'acme', roles: ['admin'] });
  acme = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, created.body['client-id'], created.body['client-secret']));
  expect((await platform('PUT', '/management/v1/tenants/acme/storage-grant', { roots: ['s3://acme-bucket'] })).status).toBe(200);
  const wh = await acme('POST', '/management/v1/warehouses', {
    name: 'acme-lake',
    'storage-root': 's3://acme-bucket/lake',
    'storage-profile': { type: 's3', bucket: 'acme-bucket' },
    'storage-secret': S3_SECRET,
    properties: { 'maintenance.interval-ms': '0' },
  });
  expect(wh.status, JSON.stringify(wh.body)).toBe(201);
});
afterAll(async () => cat?.close());

const change = (send: Send, warehouse: string, body: unknown) => send('POST', `/management/v1/warehouses/${warehouse}/properties`, body);

describe('changing a warehouse’s settings', () => {
  it('sets and removes properties; the answer and the next read show them; audited with the keys', async () => {
    const res = await change(acme, 'acme-lake', {
      updates: { 'drop.retention-ms': '86400000', 'history.expire.max-snapshot-age-ms': '3600000' },
      removals: ['maintenance.interval-ms'],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.properties).toEqual({ 'drop.retention-ms': '86400000', 'history.expire.max-snapshot-age-ms': '3600000' });
    const listed = (await acme('GET', '/management/v1/warehouses')).body.warehouses.find((w: { name: string }) => w.name === 'acme-lake');
    expect(listed.properties).toEqual(res.body.properties);
    const audit = await acme('GET', '/management/v1/audit?limit=50');
    const updated = (audit.body.events as Array<{ type: string; detail: Record<string, unknown> }>).find((e) => e.type === 'warehouse.updated');
    expect(updated?.detail).toMatchObject({
      warehouse: 'acme-lake',
      updated: ['drop.retention-ms', 'history.expire.max-snapshot-age-ms'],
      removed: ['maintenance.interval-ms'],
    });
  });

  it('checks values as at creation, naming the property', async () => {
    for (const [key, value, message] of [
      ['drop.retention-ms', '-1', /drop\.retention-ms must be a whole number/],
      ['maintenance.interval-ms', '5', /maintenance\.interval-ms must be 0 \(off\) or/],
      ['history.expire.min-snapshots-to-keep', '0', /history\.expire\.min-snapshots-to-keep must be a whole number from 1/],
      ['history.expire.max-ref-age-ms', 'soon', /history\.expire\.max-ref-age-ms must be a whole number/],
    ] as const) {
      const res = await change(acme, 'acme-lake', { updates: { [key]: value } });
      expect(res.status, key).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    const both = await change(acme, 'acme-lake', { updates: { 'drop.retention-ms': '1' }, removals: ['drop.retention-ms'] });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(/both set and removed/);
    expect((await change(acme, 'acme-lake', { updates: { 'drop.retention-ms': null } })).status).toBe(400);
    expect((await change(acme, 'acme-lake', { update: {} })).body.error.message).toMatch(/body\/update is not a field/);
  });

  it('keeps storage authority: a tenant administrator may not set extra-location-roots (403, audited); the platform may', async () => {
    const refused = await change(acme, 'acme-lake', { updates: { 'extra-location-roots': 's3://platform-backups' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/only a platform administrator/);
    const audit = await platform('GET', '/management/v1/audit?tenant=acme&limit=50');
    expect(
      (audit.body.events as Array<{ type: string; action?: string }>).some((e) => e.type === 'warehouse.storage.denied' && e.action === 'warehouse:update'),
    ).toBe(true);
  });

  it("answers another tenant's warehouse as a missing one", async () => {
    const other = await change(acme, 'default', { updates: { 'drop.retention-ms': '0' } });
    const missing = await change(acme, 'no-such-wh', { updates: { 'drop.retention-ms': '0' } });
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(other.body.error.message.replace('default', 'X')).toBe(missing.body.error.message.replace('no-such-wh', 'X'));
  });
});
