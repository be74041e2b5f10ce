import { describe, expect, it } from 'vitest';
import type { AccessMode } from '../vending.js';
import { buildSessionPolicy, DENY_ALL, MAX_SESSION_POLICY_BYTES, serializeSessionPolicy, sessionPolicyFor } from './s3-session-policy.js';

const loc = { bucket: 'lake', key: 'wh/ns/t1' };
/** The longest key prefix a sealed read-write policy fits in STS's 2,048 bytes with a 14-character bucket (docs/security.md). */
const LONGEST_SEALED_KEY = 196;
/** The same for a table whose writers are not sealed (read-write, no Lance managed versions). */
const LONGEST_KEY = 477;

describe('buildSessionPolicy', () => {
  it('read: get objects under the prefix, list only the prefix, locate the bucket', () => {
    expect(buildSessionPolicy(loc, 'read')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: ['arn:aws:s3:::lake/wh/ns/t1/*'] },
        {
          Effect: 'Allow',
          Action: ['s3:ListBucket'],
          Resource: ['arn:aws:s3:::lake'],
          Condition: { StringLike: { 's3:prefix': ['wh/ns/t1/*'] } },
        },
        { Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: ['arn:aws:s3:::lake'] },
      ],
    });
  });

  it('read-write: adds put, delete and multipart actions, still only under the prefix', () => {
    const policy = buildSessionPolicy(loc, 'read-write');
    const [objects, list, bucket] = policy.Statement;
    expect(objects!.Resource).toEqual(['arn:aws:s3:::lake/wh/ns/t1/*']);
    expect(objects!.Action).toEqual(
      expect.arrayContaining(['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts']),
    );
    expect(list!.Condition).toEqual({ StringLike: { 's3:prefix': ['wh/ns/t1/*'] } });
    // Nothing bucket-wide beyond locating it: listing the bucket's uploads in progress would show other tables' keys.
    expect(bucket).toEqual({ Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: ['arn:aws:s3:::lake'] });
    // Nothing is granted on the whole bucket's objects, and no wildcard action.
    for (const s of policy.Statement) {
      expect(s.Resource).not.toContain('arn:aws:s3:::lake/*');
      expect(s.Action.some((a) => a.includes('*'))).toBe(false);
    }
  });

  it('ignores trailing slashes of the location', () => {
    expect(buildSessionPolicy({ bucket: 'lake', key: 'wh/ns/t1/' }, 'read')).toEqual(buildSessionPolicy(loc, 'read'));
  });

  it('never returns an empty policy: an unknown mode gets an explicit deny', () => {
    const policy = buildSessionPolicy(loc, 'write-only' as AccessMode);
    expect(policy).toEqual(DENY_ALL);
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]!.Effect).toBe('Deny');
  });

  it('refuses a whole bucket and keys that would act as wildcards or policy variables', () => {
    for (const key of ['', '/', 'wh/t*', 'wh/t?', 'wh/${aws:username}']) {
      expect(() => buildSessionPolicy({ bucket: 'lake', key }, 'read')).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION' }));
    }
  });
});

describe('serializeSessionPolicy', () => {
  it('is compact JSON within the STS inline limit', () => {
    const json = sessionPolicyFor(loc, 'read-write');
    expect(json).not.toMatch(/\s/);
    expect(JSON.parse(json)).toEqual(buildSessionPolicy(loc, 'read-write'));
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MAX_SESSION_POLICY_BYTES);
  });

  it('fails with ERR_VALIDATION when the location cannot fit, counting bytes', () => {
    // The prefix appears three times (objects, listing, the _lakegate/ Deny): 3 x 900 characters plus the skeleton is over 2048.
    expect(() => sessionPolicyFor({ bucket: 'lake', key: 'k'.repeat(900) }, 'read-write')).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION' }));
    // 450 characters fit, but not when each is a 3-byte character.
    expect(() => sessionPolicyFor({ bucket: 'lake', key: 'k'.repeat(450) }, 'read-write')).not.toThrow();
    expect(() => sessionPolicyFor({ bucket: 'lake', key: '€'.repeat(450) }, 'read-write')).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION' }));
  });

  it('escapes quotes so a key cannot break out of its JSON string', () => {
    const json = serializeSessionPolicy(buildSessionPolicy({ bucket: 'lake', key: 'wh/a"b' }, 'read'));
    expect(JSON.parse(json).Statement[0].Resource).toEqual(['arn:aws:s3:::lake/wh/a"b/*']);
  });
});

describe("the catalog's own folder (_lakegate/: policy-enforced files, issue 53)", () => {
  const lakegateDeny = {
    Effect: 'Deny',
    Action: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
    Resource: ['arn:aws:s3:::lake/wh/ns/t1/_lakegate/*'],
  };

  it('read-write: an explicit Deny of put (multipart, copy target), delete and abort under <prefix>/_lakegate/', () => {
    const policy = buildSessionPolicy(loc, 'read-write');
    expect(policy.Statement).toContainEqual(lakegateDeny);
    // Reads of it stay granted by the prefix-wide Allow; the Deny names no read action.
    expect(policy.Statement.filter((s) => s.Effect === 'Deny').flatMap((s) => s.Action)).not.toContain('s3:GetObject');
  });

  it('sealed read-write (Lance of catalog-managed versions): the same Deny beside the manifests one', () => {
    expect(buildSessionPolicy(loc, 'read-write', 'lance-manifests').Statement).toContainEqual(lakegateDeny);
  });

  it('read: grants no write action anywhere, so nothing under _lakegate/ can be written either', () => {
    for (const s of buildSessionPolicy(loc, 'read').Statement) {
      if (s.Effect === 'Allow') expect(s.Action.filter((a) => /Put|Delete|Abort/.test(a))).toEqual([]);
    }
  });

  it('read-write scoped to a derived prefix (the Lance derivation): its own files stay writable', () => {
    const derived = { bucket: 'lake', key: 'wh/ns/t1/_lakegate/policy/v1/' };
    const denied = buildSessionPolicy(derived, 'read-write').Statement.filter((s) => s.Effect === 'Deny');
    expect(denied.flatMap((s) => s.Resource)).toEqual(['arn:aws:s3:::lake/wh/ns/t1/_lakegate/policy/v1/_lakegate/*']);
  });
});

describe('sealed Lance manifests (a table of catalog-managed versions)', () => {
  it('read-write: denies writing every *.manifest under the prefix, and grants deletes only in _refs/ and of staged manifests', () => {
    const policy = buildSessionPolicy(loc, 'read-write', 'lance-manifests');
    const plain = buildSessionPolicy(loc, 'read-write').Statement;
    expect(policy.Statement[0]).toEqual({ ...plain[0], Action: plain[0]!.Action.filter((a) => a !== 's3:DeleteObject') });
    expect(policy.Statement[0]!.Action).toEqual([
      's3:GetObject',
      's3:GetObjectVersion',
      's3:PutObject',
      's3:AbortMultipartUpload',
      's3:ListMultipartUploadParts',
    ]);
    expect(policy.Statement[1]).toEqual({
      Effect: 'Allow',
      Action: ['s3:DeleteObject'],
      Resource: ['arn:aws:s3:::lake/wh/ns/t1/_refs/*', 'arn:aws:s3:::lake/wh/ns/t1/*.manifest-*'],
    });
    expect(policy.Statement.slice(2, -2)).toEqual(plain.slice(1, -1));
    expect(policy.Statement.at(-2)).toEqual({
      Effect: 'Deny',
      Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
      Resource: ['arn:aws:s3:::lake/wh/ns/t1/*.manifest'],
    });
    // The catalog's own folder stays denied as on every writing grant.
    expect(policy.Statement.at(-1)).toEqual(plain.at(-1));
    expect(sessionPolicyFor(loc, 'read-write', 'lance-manifests')).toBe(JSON.stringify(policy));
  });

  it('read-write: the longest location that fits STS limit (a 14-character bucket)', () => {
    const fits = (n: number) => {
      try {
        sessionPolicyFor({ bucket: 'lakegate-lance', key: 'k'.repeat(n) }, 'read-write', 'lance-manifests');
        return true;
      } catch {
        return false;
      }
    };
    let n = 1;
    while (fits(n + 1)) n++;
    expect(n).toBe(LONGEST_SEALED_KEY);
    expect(() => sessionPolicyFor({ bucket: 'lakegate-lance', key: 'k'.repeat(n + 1) }, 'read-write', 'lance-manifests')).toThrow(/too long/);
  });

  it('read-write, not sealed: the longest location that fits STS limit (a 14-character bucket)', () => {
    const fits = (n: number) => {
      try {
        sessionPolicyFor({ bucket: 'lakegate-lance', key: 'k'.repeat(n) }, 'read-write');
        return true;
      } catch {
        return false;
      }
    };
    let n = 1;
    while (fits(n + 1)) n++;
    expect(n).toBe(LONGEST_KEY);
  });

  it('read: nothing to deny, the policy is the plain read policy', () => {
    expect(buildSessionPolicy(loc, 'read', 'lance-manifests')).toEqual(buildSessionPolicy(loc, 'read'));
  });
});
