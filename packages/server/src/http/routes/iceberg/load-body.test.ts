import { describe, expect, it } from 'vitest';
import { LoadBodies } from './load-body.js';

describe('loadTable bodies kept per metadata file', () => {
  it('writes what the per-request path wrote, and sends the same bytes again for the same file and JSON', () => {
    const bodies = new LoadBodies();
    const json = '{"format-version":2,"location":"file:///w/t","snapshots":[{"snapshot-id":9223372036854775807}]}';
    const first = bodies.body('file:///w/t/metadata/1.json', json);
    expect(first.toString()).toBe(`{"metadata-location":"file:///w/t/metadata/1.json","metadata":${json},"config":{}}`);
    expect(JSON.parse(first.toString()).metadata.location).toBe('file:///w/t');
    expect(bodies.body('file:///w/t/metadata/1.json', json)).toBe(first);
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
    const a = bodies.body('a', big);
    expect(bodies.body('a', big)).toBe(a);
    for (let i = 0; i < 30; i++) bodies.body(`l${i}`, big);
    // a was dropped when the bound was reached: a new buffer with the same bytes.
    const again = bodies.body('a', big);
    expect(again).not.toBe(a);
    expect(again.equals(a)).toBe(true);
  });
});
