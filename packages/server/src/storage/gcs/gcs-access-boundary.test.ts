import { describe, expect, it } from 'vitest';
import type { AccessMode } from '../vending.js';
import { buildAccessBoundary } from './gcs-access-boundary.js';

const loc = { bucket: 'lake', name: 'wh/ns/t1' };

describe('buildAccessBoundary', () => {
  it('read: objectViewer on the bucket, only for objects and listings under the prefix', () => {
    expect(buildAccessBoundary(loc, 'read')).toEqual({
      accessBoundary: {
        accessBoundaryRules: [
          {
            availableResource: '//storage.googleapis.com/projects/_/buckets/lake',
            availablePermissions: ['inRole:roles/storage.objectViewer'],
            availabilityCondition: {
              title: 'lakegate read lake/wh/ns/t1/',
              expression:
                "resource.name.startsWith('projects/_/buckets/lake/objects/wh/ns/t1/')" +
                " || api.getAttribute('storage.googleapis.com/objectListPrefix', '').startsWith('wh/ns/t1/')",
            },
          },
        ],
      },
    });
  });

  it('read-write: reads and listings as read; objectAdmin on the objects under the prefix but _lakegate/ (issue 53); trailing slashes are ignored', () => {
    const rw = buildAccessBoundary({ bucket: 'lake', name: 'wh/ns/t1//' }, 'read-write');
    const [read, write] = rw.accessBoundary.accessBoundaryRules;
    expect(rw.accessBoundary.accessBoundaryRules).toHaveLength(2);
    expect(read).toEqual(buildAccessBoundary(loc, 'read').accessBoundary.accessBoundaryRules[0]);
    expect(write!.availablePermissions).toEqual(['inRole:roles/storage.objectAdmin']);
    expect(write!.availabilityCondition.expression).toBe(
      "resource.name.startsWith('projects/_/buckets/lake/objects/wh/ns/t1/') && !resource.name.startsWith('projects/_/buckets/lake/objects/wh/ns/t1/_lakegate/')",
    );
  });

  it('refuses whole buckets, names that could break out of a CEL string, and unknown modes', () => {
    for (const name of ['', '/', "wh/it's", 'wh/a\\b', 'wh/"x"']) {
      expect(() => buildAccessBoundary({ bucket: 'lake', name }, 'read')).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION' }));
    }
    expect(() => buildAccessBoundary(loc, 'write-only' as AccessMode)).toThrow(TypeError);
  });
});

describe('sealed Lance manifests (a table of catalog-managed versions)', () => {
  it('read-write: reads and listings as objectViewer; create-only on objects not named *.manifest; objectAdmin only in _refs/ and on staged manifests', () => {
    const rules = buildAccessBoundary(loc, 'read-write', 'lance-manifests').accessBoundary.accessBoundaryRules;
    expect(rules).toHaveLength(3);
    expect(rules[0]).toEqual(buildAccessBoundary(loc, 'read').accessBoundary.accessBoundaryRules[0]);
    expect(rules[1]!.availablePermissions).toEqual(['inRole:roles/storage.objectCreator']);
    expect(rules[1]!.availabilityCondition.expression).toBe(
      "resource.name.startsWith('projects/_/buckets/lake/objects/wh/ns/t1/') && !resource.name.endsWith('.manifest')" +
        " && !resource.name.startsWith('projects/_/buckets/lake/objects/wh/ns/t1/_lakegate/')",
    );
    expect(rules[2]!.availablePermissions).toEqual(['inRole:roles/storage.objectAdmin']);
    expect(rules[2]!.availabilityCondition.expression).toBe(
      "resource.name.startsWith('projects/_/buckets/lake/objects/wh/ns/t1/_refs/') || " +
        "(resource.name.startsWith('projects/_/buckets/lake/objects/wh/ns/t1/') && resource.name.contains('.manifest-')" +
        " && !resource.name.startsWith('projects/_/buckets/lake/objects/wh/ns/t1/_lakegate/'))",
    );
  });

  it('read: the plain read boundary', () => {
    expect(buildAccessBoundary(loc, 'read', 'lance-manifests')).toEqual(buildAccessBoundary(loc, 'read'));
  });
});
