import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { isCatalogError } from '../../errors/catalog-error.js';
import { roleSessionName, S3CredentialVendor, type S3CredentialVendorOptions, stsDuration } from './s3-credential-vendor.js';

const SECRET = 'parent-secret-key-never-shown';

/** An STS client double that records AssumeRole inputs and answers with `answer`. */
function fakeSts(answer: (input: AssumeRoleCommand['input']) => unknown) {
  const calls: AssumeRoleCommand['input'][] = [];
  const client = {
    async send(command: unknown) {
      if (!(command instanceof AssumeRoleCommand)) throw new Error('unexpected command');
      calls.push(command.input);
      return answer(command.input);
    },
    destroy() {},
  } as unknown as STSClient;
  return { client, calls };
}

const okAnswer = (input: AssumeRoleCommand['input']) => ({
  Credentials: {
    AccessKeyId: 'ASIA-TEMP',
    SecretAccessKey: 'temp-secret',
    SessionToken: 'temp-token',
    Expiration: new Date(Date.UTC(2030, 0, 1) + (input.DurationSeconds ?? 0) * 1000),
  },
});

const options = (client: STSClient, extra: Partial<S3CredentialVendorOptions> = {}): S3CredentialVendorOptions => ({
  client,
  bucket: 'lake',
  region: 'us-east-1',
  roleArn: 'arn:aws:iam::123456789012:role/lakegate',
  externalId: 'ext-1',
  s3Endpoint: 'http://127.0.0.1:9000',
  pathStyle: true,
  maxLifetimeSeconds: 3600,
  ...extra,
});

describe('S3CredentialVendor', () => {
  it('assumes the role with a prefix-scoped policy and returns the Iceberg S3 properties', async () => {
    const sts = fakeSts(okAnswer);
    const vendor = new S3CredentialVendor(options(sts.client));
    const vended = await vendor.vend({ location: 's3://lake/wh/ns/t1', mode: 'read', principal: 'alice@example.com', lifetimeSeconds: 1200 });

    expect(sts.calls).toHaveLength(1);
    const input = sts.calls[0]!;
    expect(input.RoleArn).toBe('arn:aws:iam::123456789012:role/lakegate');
    expect(input.ExternalId).toBe('ext-1');
    expect(input.RoleSessionName).toBe('alice@example.com');
    expect(input.DurationSeconds).toBe(1200);
    expect(JSON.parse(input.Policy!).Statement[0].Resource).toEqual(['arn:aws:s3:::lake/wh/ns/t1/*']);

    const expiresAtMs = Date.UTC(2030, 0, 1) + 1200 * 1000;
    expect(vended).toEqual({
      prefix: 's3://lake/wh/ns/t1',
      expiresAtMs,
      config: {
        's3.access-key-id': 'ASIA-TEMP',
        's3.secret-access-key': 'temp-secret',
        's3.session-token': 'temp-token',
        's3.session-token-expires-at-ms': String(expiresAtMs),
        's3.endpoint': 'http://127.0.0.1:9000',
        's3.path-style-access': 'true',
        'client.region': 'us-east-1',
        's3.region': 'us-east-1',
      },
    });
  });

  it('omits s3.endpoint when none is configured (AWS)', async () => {
    const vendor = new S3CredentialVendor(options(fakeSts(okAnswer).client, { s3Endpoint: undefined, pathStyle: false }));
    const { config } = await vendor.vend({ location: 's3://lake/t', mode: 'read-write', principal: 'p1', lifetimeSeconds: 900 });
    expect(Object.keys(config)).not.toContain('s3.endpoint');
    expect(config['s3.path-style-access']).toBe('false');
  });

  it('caps the lifetime at the maximum and raises it to the STS minimum', async () => {
    const sts = fakeSts(okAnswer);
    const vendor = new S3CredentialVendor(options(sts.client));
    await vendor.vend({ location: 's3://lake/t', mode: 'read', principal: 'p1', lifetimeSeconds: 86_400 });
    await vendor.vend({ location: 's3://lake/t', mode: 'read', principal: 'p1', lifetimeSeconds: 60 });
    expect(sts.calls.map((c) => c.DurationSeconds)).toEqual([3600, 900]);
    expect(stsDuration(1000.7, 3600)).toBe(1000);
  });

  it('maps STS failures to ERR_UNAVAILABLE without secrets, keeping a sanitized cause', async () => {
    const failure = Object.assign(new Error('The security token included in the request is invalid'), {
      name: 'InvalidClientTokenId',
      $metadata: { httpStatusCode: 403 },
      AWSAccessKeyId: 'lakegate-root',
      StringToSign: SECRET,
    });
    const vendor = new S3CredentialVendor(
      options(fakeSts(() => Promise.reject(failure)).client, { credentials: { accessKeyId: 'lakegate-root', secretAccessKey: SECRET } }),
    );
    const error = await vendor.vend({ location: 's3://lake/t', mode: 'read', principal: 'p1', lifetimeSeconds: 900 }).catch((e: unknown) => e);
    expect(isCatalogError(error) && error.code).toBe('ERR_UNAVAILABLE');
    const e = error as Error & { cause: Error };
    expect(e.message).toBe('storage credential service unavailable');
    expect(e.cause.message).toContain('InvalidClientTokenId (HTTP 403)');
    const everything = JSON.stringify({ message: e.message, stack: e.stack, cause: { ...e.cause, message: e.cause.message, stack: e.cause.stack } });
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain('lakegate-root');
  });

  it('treats an answer without complete credentials as unavailable', async () => {
    const vendor = new S3CredentialVendor(options(fakeSts(() => ({ Credentials: { AccessKeyId: 'x' } })).client));
    await expect(vendor.vend({ location: 's3://lake/t', mode: 'read', principal: 'p1', lifetimeSeconds: 900 })).rejects.toMatchObject({
      code: 'ERR_UNAVAILABLE',
    });
  });

  it('validates before calling STS', async () => {
    const sts = fakeSts(okAnswer);
    const vendor = new S3CredentialVendor(options(sts.client));
    await expect(vendor.vend({ location: 'file:///tmp/t', mode: 'read', principal: 'p', lifetimeSeconds: 900 })).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    });
    await expect(vendor.vend({ location: `s3://lake/${'k'.repeat(1000)}`, mode: 'read', principal: 'p', lifetimeSeconds: 900 })).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    });
    await expect(vendor.vend({ location: 's3://lake/t', mode: 'read', principal: 'p', lifetimeSeconds: 0 })).rejects.toThrow(TypeError);
    expect(sts.calls).toHaveLength(0);
  });

  it("never vends for a bucket other than the profile's, whoever asks", async () => {
    const sts = fakeSts(okAnswer);
    const vendor = new S3CredentialVendor(options(sts.client));
    for (const location of ['s3://platform-backups/db-dumps', 's3a://lake-other/t', 's3://lakex/t']) {
      await expect(vendor.vend({ location, mode: 'read', principal: 'p', lifetimeSeconds: 900 })).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    }
    expect(sts.calls).toHaveLength(0);
  });

  it('refuses a maximum lifetime STS cannot grant', () => {
    expect(() => new S3CredentialVendor(options(fakeSts(okAnswer).client, { maxLifetimeSeconds: 600 }))).toThrow(TypeError);
    expect(() => new S3CredentialVendor(options(fakeSts(okAnswer).client, { maxLifetimeSeconds: 50_000 }))).toThrow(TypeError);
  });
});

describe('roleSessionName', () => {
  it('keeps STS characters, replaces the rest, and fits 2..64 characters', () => {
    expect(roleSessionName('alice@example.com')).toBe('alice@example.com');
    expect(roleSessionName('svc:spark/job 1')).toBe('svc-spark-job-1');
    expect(roleSessionName('x')).toBe('lakegate-x');
    expect(roleSessionName('')).toBe('lakegate-');
    const long = roleSessionName('a'.repeat(100));
    expect(long).toHaveLength(64);
    for (const p of ['ü∂ß', 'a'.repeat(100), 'x', '']) expect(roleSessionName(p)).toMatch(/^[\w+=,.@-]{2,64}$/);
  });
});
