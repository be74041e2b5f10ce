import { describe, expect, it } from 'vitest';
import { S3RequestSigner } from '../../../storage/s3/s3-request-signer.js';
import { escapeFreeJson } from './common.js';
import { rng } from '../../../../../../test/support/rng.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const at = new Date('2026-11-25T12:00:00Z');
/** What sendSigned writes without the escape-free path. */
const stringified = (a: { uri: string; headers: Record<string, string[]> }) => `{"uri":${JSON.stringify(a.uri)},"headers":${JSON.stringify(a.headers)}}`;

// Characters a hostile caller would try to break the answer's JSON with, and ordinary ones.
const HOSTILE = ['"', '\\', '\u0000', '\u001f', '\n', '\t', ' ', '\u007f', '\ud800', '\udfff', 'é', '\u2028', '%22', '%5C', '%00', '{', '}', ',', ':'];
const ORDINARY = ['a', 'Z', '0', '-', '.', '_', '~', '/', '=', '&', '!', '$', "'", '(', ')', '*', '+', ';', '@', '%41'];
function pick<T>(from: readonly T[], random: () => number): T {
  return from[Math.floor(random() * from.length)]!;
}
describe('the sign answer written without JSON escaping', () => {
  it('is exactly JSON.stringify’s text for every answer the signer marks escape-free, whatever the caller sent', async () => {
    const random = rng(36);
    const signers = [
      new S3RequestSigner({ bucket: 'lake', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', pathStyle: true, credentials }),
      new S3RequestSigner({ bucket: 'lake', region: 'eu-west-1', pathStyle: false, credentials }),
    ];
    let marked = 0;
    let refused = 0;
    for (let i = 0; i < 4000; i++) {
      const signer = signers[i % 2]!;
      const chars = (n: number) => Array.from({ length: n }, () => (random() < 0.15 ? pick(HOSTILE, random) : pick(ORDINARY, random))).join('');
      const host =
        i % 2 === 0
          ? random() < 0.1
            ? `127.0.0.1:9000${chars(1)}`
            : '127.0.0.1:9000'
          : random() < 0.1
            ? `lake.s3.eu-west-1.amazonaws.com${chars(1)}`
            : 'lake.s3.eu-west-1.amazonaws.com';
      const path = i % 2 === 0 ? `/lake/wh/t/${chars(8)}` : `/wh/t/${chars(8)}`;
      const query = random() < 0.3 ? `?${chars(6)}` : '';
      const uri = `${i % 2 === 0 ? 'http' : 'https'}://${host}${path}${query}`;
      const name = random() < 0.5 ? `x-custom-${chars(3).toLowerCase()}` : 'content-type';
      const method = pick(['GET', 'HEAD', 'PUT', 'DELETE'], random);
      let answer;
      try {
        const signed = signer.sign(
          signer.inspect({ method, uri, region: i % 2 === 0 ? 'us-east-1' : 'eu-west-1', headers: { [name]: [chars(4)] }, body: undefined }),
          at,
        );
        answer = signed instanceof Promise ? await signed : signed;
      } catch {
        refused++;
        continue;
      }
      if (!answer.escapeFree) continue;
      marked++;
      const text = escapeFreeJson(answer);
      expect(text, uri).toBe(stringified(answer));
      expect(JSON.parse(text)).toEqual({ uri: answer.uri, headers: answer.headers });
    }
    // Both kinds of case ran: answers written without escaping, and requests the rules refused.
    expect(marked).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(300);
  });

  it('is not marked when the access key id would need escaping (a signer checks it once)', () => {
    const signer = new S3RequestSigner({ bucket: 'lake', region: 'eu-west-1', pathStyle: false, credentials: { ...credentials, accessKeyId: 'AKID"X' } });
    const signed = signer.sign(
      signer.inspect({ method: 'GET', uri: 'https://lake.s3.eu-west-1.amazonaws.com/wh/t/a.parquet', region: 'eu-west-1', headers: {}, body: undefined }),
      at,
    );
    expect(signed instanceof Promise ? undefined : signed.escapeFree).toBeUndefined();
  });

  it('refuses header names that are not HTTP field names, and hosts with characters no host has', () => {
    const signer = new S3RequestSigner({ bucket: 'lake', region: 'eu-west-1', pathStyle: false, credentials });
    for (const name of ['a"b', 'a\\b', 'a b', 'a\u0001', '', 'é']) {
      expect(
        () =>
          signer.inspect({
            method: 'GET',
            uri: 'https://lake.s3.eu-west-1.amazonaws.com/wh/t/a.parquet',
            region: 'eu-west-1',
            headers: { [name]: ['v'] },
            body: undefined,
          }),
        JSON.stringify(name),
      ).toThrow(/HTTP field names/);
    }
    for (const host of [
      'lake.s3.eu-west-1.amazonaws.com"',
      'lake.s3.eu-west-1.amazonaws.com\\',
      'lake.s3.eu-west-1.amazonaws.com\u0000',
      'lake.s3.eu-west-1.amazonaws.com\ud800',
    ]) {
      expect(
        () => signer.inspect({ method: 'GET', uri: `https://${host}/wh/t/a.parquet`, region: 'eu-west-1', headers: {}, body: undefined }),
        JSON.stringify(host),
      ).toThrow(/absolute http\(s\) URI/);
    }
  });
});
