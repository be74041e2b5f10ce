import { describe, expect, it } from 'vitest';
import { isSecretQueryParameter, scrubUrl } from './logger.js';

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVz';

describe('query redaction', () => {
  it('redacts parameters named like a credential, whatever the exact name', () => {
    for (const name of [
      'bearer',
      'Authorization',
      'access_token',
      'id_token',
      'client_secret',
      'X-Amz-Signature',
      'sig',
      'apiKey',
      'x-api-key',
      'password',
      'session',
      'code',
      'assertion',
      'jwt',
    ]) {
      expect(isSecretQueryParameter(name, 'v'), name).toBe(true);
    }
  });

  it('redacts values that look like a credential under any name', () => {
    for (const value of [JWT, 'Bearer abc', 'Basic dXNlcjpwYXNz', 'lgk_abcdefghijkl_xyz', 'AKIAIOSFODNN7EXAMPLE', 'q9XbT2vLm4Kp8RsYw3ZcN6aHd1FgJ7Ue5Ao0Ii']) {
      expect(isSecretQueryParameter('x', value), value).toBe(true);
    }
  });

  it('keeps ordinary parameters readable', () => {
    for (const [name, value] of [
      ['warehouse', 'production-warehouse-2024'],
      ['pageToken', JWT],
      ['pageSize', '100'],
      ['parent', 'sales\u001feu'],
      ['snapshots', 'all'],
      ['delimiter', '$'],
    ]) {
      expect(isSecretQueryParameter(name!, value!), name).toBe(false);
    }
    expect(scrubUrl(`/v1/config?warehouse=lake&bearer=${JWT}&x=${JWT}`)).toBe('/v1/config?warehouse=lake&bearer=***&x=***');
    expect(scrubUrl('/v1/lake/namespaces?pageSize=2')).toBe('/v1/lake/namespaces?pageSize=2');
  });
});
