/**
 * BatchCreateTableVersions (lance-namespace 0.13) over HTTP, in process on the local file warehouse: versions of
 * several tables and branches are created all or none. A batch answers the versions in the order of its entries; one
 * taken version (409) or a skipping one (400) records none of them and writes no final manifest; an entry's bad input
 * names the entry; one table and branch twice is refused.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { postJson } from '../support/inject.js';

const L = '/lance/default/v1';
const v2 = (version: number) => `${(2n ** 64n - 1n - BigInt(version)).toString().padStart(20, '0')}.manifest`;

describe('BatchCreateTableVersions', () => {
  let cat: TestCatalog;
  const locations: Record<string, string> = {};
  const call = (url: string, payload: unknown) => postJson(cat.lakegate.app, url, payload);
  const stage = (table: string, name: string) => {
    const file = path.join(fileURLToPath(locations[table]!), '_versions', name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `manifest ${table} ${name}`);
    return file.slice(1);
  };
  const finalFile = (table: string, version: number) => path.join(fileURLToPath(locations[table]!), '_versions', v2(version));
  const versionsOf = async (table: string) =>
    ((await call(`${L}/table/bt%24${table}/version/list`, {})).body!.versions as { version: number }[]).map((v) => v.version);
  const batch = (entries: unknown[]) => call(`${L}/table/version/batch-create`, { identity: { auth_token: 'x' }, context: { k: 'v' }, entries });

  beforeAll(async () => {
    cat = await startInProcess();
    await call(`${L}/namespace/bt/create`, {});
    for (const t of ['a', 'b']) locations[t] = (await call(`${L}/table/bt%24${t}/declare`, {})).body!.location;
  });
  afterAll(async () => cat.close());

  it('creates versions of several tables at once and answers them in the order of the entries', async () => {
    const a1 = stage('a', '1.manifest-a');
    const b1 = stage('b', '1.manifest-b');
    const res = await batch([
      { id: ['bt', 'b'], version: 1, manifest_path: b1 },
      { id: ['bt', 'a'], version: 1, manifest_path: a1, naming_scheme: 'V2', metadata: { by: 'batch' } },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body!.versions.map((v: any) => [v.version, v.manifest_path])).toEqual([
      [1, finalFile('b', 1).slice(1)],
      [1, finalFile('a', 1).slice(1)],
    ]);
    expect(res.body!.versions[1].metadata).toMatchObject({ by: 'batch' });
    expect([await versionsOf('a'), await versionsOf('b')]).toEqual([[1], [1]]);
    expect(existsSync(`/${a1}`) || existsSync(`/${b1}`)).toBe(false);
  });

  it('records none of the versions when one is taken or skips, and writes no final manifest', async () => {
    const a2 = stage('a', '2.manifest-a');
    const taken = await batch([
      { id: ['bt', 'a'], version: 2, manifest_path: a2 },
      { id: ['bt', 'b'], version: 1, manifest_path: stage('b', '1.manifest-again') },
    ]);
    expect(taken).toMatchObject({ status: 409, body: { code: 14 } });
    const skips = await batch([
      { id: ['bt', 'a'], version: 2, manifest_path: a2 },
      { id: ['bt', 'b'], version: 5, manifest_path: stage('b', '5.manifest-b') },
    ]);
    expect(skips).toMatchObject({ status: 400, body: { code: 13 } });
    expect([await versionsOf('a'), await versionsOf('b')]).toEqual([[1], [1]]);
    expect(existsSync(finalFile('a', 2))).toBe(false);
    // The staged manifest is still there for a retry, which then succeeds.
    const retried = await batch([
      { id: ['bt', 'a'], version: 2, manifest_path: a2 },
      { id: ['bt', 'b'], version: 2, manifest_path: stage('b', '2.manifest-b') },
    ]);
    expect(retried.status).toBe(200);
    expect([await versionsOf('a'), await versionsOf('b')]).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });

  it('names the entry with bad input, refuses one table and branch twice, and an empty or missing table', async () => {
    const bad = await batch([
      { id: ['bt', 'a'], version: 3, manifest_path: stage('a', '3.manifest-a') },
      { id: ['bt', 'b'], version: -1, manifest_path: 'x' },
    ]);
    expect(bad).toMatchObject({ status: 400, body: { code: 13 } });
    expect(bad.body!.error).toContain('entries[1]');
    const twice = await batch([
      { id: ['bt', 'a'], version: 3, manifest_path: stage('a', '3.manifest-a') },
      { id: ['bt', 'a'], version: 4, manifest_path: stage('a', '4.manifest-a') },
    ]);
    expect(twice).toMatchObject({ status: 400, body: { code: 13 } });
    expect(await batch([])).toMatchObject({ status: 400, body: { code: 13 } });
    expect(await batch([{ id: ['bt', 'nope'], version: 1, manifest_path: 'x' }])).toMatchObject({ status: 404, body: { code: 4 } });
    expect(await versionsOf('a')).toEqual([1, 2]);
  });
});
