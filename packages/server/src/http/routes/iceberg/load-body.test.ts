import { describe, expect, it } from 'vitest';
import { LoadBodies } from './load-body.js';

describe('loadTable bodies kept per metadata file', () => {
  it('writes what the per-request path wrote, and from the second load of a file on sends the same bytes again', () => {
    const bodies = new LoadBodies();
    const json = '{"format-version":2,"location":"file:///w/t","snapshots":[{"snapshot-id":9223372036854775807}]}';
    const text = `{"metadata-location":"file:///w/t/metadata/1.json","metadata":${json},"config":{}}`;
    // First sighting: written for this answer only, nothing kept.
    const first = bodies.body('file:///w/t/metadata/1.json', json);
    expect(first).toBe(text);
    expect(JSON.parse(first.toString()).metadata.location).toBe('file:///w/t');
    // Second: encoded and kept; later loads get those very bytes.
    const second = bodies.body('file:///w/t/metadata/1.json', json);
    expect(Buffer.isBuffer(second)).toBe(true);
    expect(second.toString()).toBe(text);
    expect(bodies.body('file:///w/t/metadata/1.json', json)).toBe(second);
  });

  it('keeps nothing for files loaded once (a million tables each loaded once fill no store)', () => {
    const bodies = new LoadBodies();
    for (let i = 0; i < 1000; i++) expect(typeof bodies.body(`file:///w/t${i}/m.json`, '{"v":1}')).toBe('string');
    expect(bodies.bytes).toBe(0);
  });

  it('never answers with another JSON kept at the same location (a table dropped and created again there)', () => {
    const bodies = new LoadBodies();
    bodies.body('file:///w/t/m.json', '{"v":1}');
    expect(bodies.body('file:///w/t/m.json', '{"v":2}').toString()).toContain('"metadata":{"v":2}');
    expect(bodies.body('file:///w/t/m.json', '{"v":2}').toString()).toContain('"metadata":{"v":2}');
  });

  it('writes answers with credentials or configuration per request, never kept', () => {
    const bodies = new LoadBodies();
    const extras = { config: { 'client.region': 'eu' }, 'storage-credentials': [{ prefix: 's3://b/t', config: { 's3.access-key-id': 'AK' } }] };
    const body = bodies.body('s3://b/t/m.json', '{"v":1}', extras);
    expect(body).toBe(
      '{"metadata-location":"s3://b/t/m.json","metadata":{"v":1},"config":{"client.region":"eu"},"storage-credentials":[{"prefix":"s3://b/t","config":{"s3.access-key-id":"AK"}}]}',
    );
    expect(bodies.body('s3://b/t/m.json', '{"v":1}').toString()).toBe('{"metadata-location":"s3://b/t/m.json","metadata":{"v":1},"config":{}}');
  });

  it('stays within its byte bound', () => {
    const bodies = new LoadBodies(3200);
    const big = `{"x":"${'a'.repeat(90)}"}`;
    bodies.body('a', big);
    const a = bodies.body('a', big);
    expect(bodies.body('a', big)).toBe(a);
    for (let i = 0; i < 30; i++) for (let k = 0; k < 2; k++) bodies.body(`l${i}`, big);
    expect(bodies.bytes).toBeLessThanOrEqual(3200);
    // a was dropped when the bound was reached: a new buffer with the same bytes.
    bodies.body('a', big);
    const again = bodies.body('a', big);
    expect(again).not.toBe(a);
    expect(Buffer.isBuffer(again) && again.equals(a as Buffer)).toBe(true);
  });

  it('sends one body to loads of a file too large to keep, while an answer holds it, and only for its own JSON', () => {
    const bodies = new LoadBodies(3200);
    const json = `{"x":"${'a'.repeat(300)}"}`;
    const first = bodies.body('file:///w/big/m.json', json);
    expect(Buffer.isBuffer(first)).toBe(true);
    expect(first.toString()).toBe(`{"metadata-location":"file:///w/big/m.json","metadata":${json},"config":{}}`);
    // The same bytes from the first load on, not another copy; never counted as kept.
    expect(bodies.body('file:///w/big/m.json', json)).toBe(first);
    expect(bodies.body('file:///w/big/m.json', `${json.slice(0, -2)}"}`)).toBe(first);
    expect(bodies.bytes).toBe(0);
    const other = `{"x":"${'b'.repeat(300)}"}`;
    const second = bodies.body('file:///w/big/m.json', other);
    expect(second).not.toBe(first);
    expect(second.toString()).toContain(`"metadata":${other}`);
  });
});
