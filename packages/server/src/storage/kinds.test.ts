import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CreateWarehouseRequest } from '@lakegate/protocol';
import { STORAGE_KIND_FACTS } from '../catalog/ports/storage-kinds.js';
import type { StorageKind } from './kind.js';
import { STORAGE_KINDS, kindOf, type StorageType } from './kinds.js';
import { StorageProfileSchema, StrictStorageProfileSchema } from './profile.js';

const HERE = import.meta.dirname;
const DOCS = path.resolve(HERE, '..', '..', '..', '..', 'docs', 'storage.md');
const types = STORAGE_KINDS.map((kind) => kind.type);
/** The descriptors as kindOf hands them out: the loops below give each one a profile of its own kind, which a loop over the
 * tuple's union of descriptors cannot express. */
const KINDS: readonly StorageKind[] = STORAGE_KINDS;

/** One minimal profile (and secret) of each kind: a kind added to the registry without one here fails below. */
const SAMPLES: Record<StorageType, { profile: Record<string, unknown>; secret?: Record<string, unknown> }> = {
  s3: { profile: { type: 's3', bucket: 'lake-bucket' } },
  azure: { profile: { type: 'azure', account: 'lakeacct', container: 'tables' }, secret: { 'account-key': Buffer.from('key').toString('base64') } },
  gcs: { profile: { type: 'gcs', bucket: 'lake-bucket' } },
  file: { profile: { type: 'file' } },
};

describe('the storage-kind registry', () => {
  it('has exactly one descriptor per profile type of the profile union, each naming the schema of its own type', () => {
    expect(new Set(types).size).toBe(types.length);
    expect(StorageProfileSchema.options.map((option) => option.shape.type.value)).toEqual(types);
    expect(StrictStorageProfileSchema.options.map((option) => option.shape.type.value)).toEqual(types);
    for (const kind of STORAGE_KINDS) {
      expect(kind.profileSchema.shape.type.value).toBe(kind.type);
      expect(kindOf(kind.type)).toBe(kind);
    }
    expect(() => kindOf('nfs' as StorageType)).toThrow(TypeError);
  });

  it('matches the catalog-side facts one to one (catalog/ports/storage-kinds.ts)', () => {
    expect(STORAGE_KIND_FACTS.map((facts) => facts.type)).toEqual(types);
    for (const kind of STORAGE_KINDS) expect(kind.facts).toBe(STORAGE_KIND_FACTS.find((facts) => facts.type === kind.type));
  });

  it('lists every backend folder with a kind.ts, and every kind has its folder', () => {
    const folders = readdirSync(HERE, { withFileTypes: true }).filter((e) => e.isDirectory() && existsSync(path.join(HERE, e.name, 'kind.ts')));
    expect(folders.map((e) => e.name).sort()).toEqual([...types].sort());
  });

  it('is the list the protocol and docs/storage.md name', () => {
    const described = /by type \(([^)]*)\)/.exec(String(CreateWarehouseRequest.properties['storage-profile'].description))?.[1];
    expect(described?.split(', ')).toEqual(types);
    const documented = [...readFileSync(DOCS, 'utf8').matchAll(/^### `([a-z0-9]+)` /gm)].map((m) => m[1]).filter((t) => t !== 'memory');
    expect(documented.sort()).toEqual([...types].sort());
  });

  it('has a sample of each kind here, which its schema, root check and secret check accept', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...types].sort());
    for (const kind of KINDS) {
      const sample = SAMPLES[kind.type as StorageType];
      const profile = kind.profileSchema.strict().parse(sample.profile);
      expect(kind.checkRoot(profile, `${kind.root(profile)}${kind.local ? '///srv/wh' : '/wh'}`)).toBeUndefined();
      const secret = sample.secret && kind.secretSchema?.strict().parse(sample.secret);
      if (secret !== undefined) expect(kind.checkSecret?.(profile, secret)).toBeUndefined();
      if (kind.secretRequired === undefined) expect(sample.secret).toBeUndefined();
    }
  });

  it("refuses a root in another kind's storage", () => {
    for (const kind of KINDS) {
      const profile = kind.profileSchema.parse(SAMPLES[kind.type as StorageType].profile);
      for (const other of KINDS.filter((k) => k !== kind)) {
        const root = other.root(other.profileSchema.parse(SAMPLES[other.type as StorageType].profile));
        expect(kind.checkRoot(profile, `${root}/wh`)).toMatch(/storage-root|file: storage-root/);
      }
    }
  });

  it("builds object storage that serves its own schemes and no other kind's", async () => {
    for (const kind of KINDS) {
      const sample = SAMPLES[kind.type as StorageType];
      const profile = kind.profileSchema.parse(sample.profile);
      const secret = sample.secret && kind.secretSchema?.parse(sample.secret);
      const shared = new Map<string, unknown>();
      const built = await kind.build(profile, secret, { warehouse: 'w', shared: (make) => (shared.get('x') ?? shared.set('x', make()).get('x')) as never });
      for (const scheme of kind.schemes) expect(built.storage.handles(`${scheme}://authority/key`), `${kind.type} serves ${scheme}`).toBe(true);
      for (const other of KINDS.filter((k) => k !== kind)) {
        for (const scheme of other.schemes) expect(built.storage.handles(`${scheme}://authority/key`), `${kind.type} does not serve ${scheme}`).toBe(false);
      }
      expect(built.mechanisms.length).toBeGreaterThan(0);
      expect(built.vendor === undefined).toBe(kind.local || kind.facts.fileIo === undefined);
    }
  });
});
