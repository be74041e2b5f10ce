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
    expect(body).toBe('{"metadata-location":"s3://b/t/m.json","metadata":{"v":1},"config":{"client.region":"eu"},"storage-credentials":[{"prefix":"s3://b/t","config":{"s3.access-key-id":"AK"}}]}');
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
});
