/**
 * botocore (the signer behind boto3 and the AWS CLI; pinned in
 * packages/sigv4/test-fixtures/botocore-requirements.txt, cached venv from
 * scripts/peers/botocore-venv.sh) signs requests with SigV4Auth, S3SigV4Auth,
 * SigV4QueryAuth and S3SigV4QueryAuth (packages/sigv4/test-fixtures/botocore_sign.py);
 * verifySigV4 must accept each as received, reject it once tampered with, and
 * @smithy/signature-v4 (signRequest/presignRequest) must produce the same signatures.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { presignRequest, signRequest, type SigV4Request, verifySigV4, type VerifySigV4Options } from '@lakegate/sigv4';
import { beforeAll, describe, expect, it } from 'vitest';
import { peerScript } from '../support/peers.js';
import { REPO_ROOT } from '../support/server-process.js';

interface BotocoreCase {
  name: string;
  mode: 'header' | 'presigned';
  service: string;
  region: string;
  uriEscapePath: boolean;
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyBase64: string;
}

interface BotocoreOutput {
  botocore: string;
  signedAt: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  cases: BotocoreCase[];
}

let out: BotocoreOutput;

beforeAll(() => {
  const python = execFileSync('bash', [peerScript('botocore-venv.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .at(-1)!;
  const script = path.join(REPO_ROOT, 'packages', 'sigv4', 'test-fixtures', 'botocore_sign.py');
  out = JSON.parse(execFileSync(python, [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })) as BotocoreOutput;
});

/** The request as a Node server would hand it over: lowercase header names. */
function received(c: BotocoreCase): SigV4Request & { headers: Record<string, string> } {
  const headers = Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: c.method, url: c.url, headers, body: Buffer.from(c.bodyBase64, 'base64') };
}

function options(c: BotocoreCase, over: Partial<VerifySigV4Options<string>> = {}): VerifySigV4Options<string> {
  return {
    service: c.service,
    region: c.region,
    uriEscapePath: c.uriEscapePath,
    now: () => new Date(Date.parse(out.signedAt) + 30_000),
    lookupSecret: async (id) => (id === out.accessKeyId ? { secretAccessKey: out.secretAccessKey, principal: 'botocore-user' } : undefined),
    ...over,
  };
}

const CASES = ['get-query', 'post-json-session-token', 's3-put', 'presigned-get', 'presigned-s3-session-token'];
/** Paths whose canonical form depends on uriEscapePath (something to encode or normalize). */
const PATH_SETTING_MATTERS = new Set(['get-query', 's3-put', 'presigned-s3-session-token']);
const byName = (name: string) => out.cases.find((c) => c.name === name)!;

it('signs every scenario with the pinned botocore', () => {
  expect(out.botocore).toBe('1.44.5');
  expect(out.cases.map((c) => c.name)).toEqual(CASES);
});

describe.each(CASES)('%s', (name) => {
  it('verifies as received, handing lookupSecret the session token', async () => {
    const c = byName(name);
    const tokens: Array<string | undefined> = [];
    const lookupSecret: VerifySigV4Options<string>['lookupSecret'] = async (id, ctx) => {
      tokens.push(ctx.sessionToken);
      return options(c).lookupSecret(id, ctx);
    };
    const result = await verifySigV4(received(c), options(c, { lookupSecret }));
    expect(result).toEqual({ ok: true, accessKeyId: out.accessKeyId, principal: 'botocore-user', mode: c.mode, signedAt: new Date(out.signedAt) });
    expect(tokens).toEqual([name.includes('session-token') ? out.sessionToken : undefined]);
  });

  it('rejects a changed signature, path, body or clock, and the other path setting', async () => {
    const c = byName(name);
    const r = received(c);
    const code = async (request: SigV4Request, over: Partial<VerifySigV4Options<string>> = {}) => {
      const result = await verifySigV4(request, options(c, over));
      return result.ok ? 'ok' : result.code;
    };
    const flipped =
      c.mode === 'header'
        ? { ...r, headers: { ...r.headers, authorization: r.headers.authorization!.replace(/.$/, (d) => (d === '0' ? '1' : '0')) } }
        : { ...r, url: r.url.replace(/.$/, (d) => (d === '0' ? '1' : '0')) };
    expect(await code(flipped)).toBe('ERR_SIGV4_SIGNATURE');
    expect(await code({ ...r, url: r.url.replace(/^\/[^/?]+/, '/other') })).toBe('ERR_SIGV4_SIGNATURE');
    expect(await code(r, { uriEscapePath: !c.uriEscapePath })).toBe(PATH_SETTING_MATTERS.has(name) ? 'ERR_SIGV4_SIGNATURE' : 'ok');
    const bodyChanged = await code({ ...r, body: 'tampered' });
    if (name === 'presigned-s3-session-token')
      expect(bodyChanged).toBe('ok'); // signed over UNSIGNED-PAYLOAD
    else expect(bodyChanged).toBe(name === 's3-put' ? 'ERR_SIGV4_PAYLOAD_HASH' : 'ERR_SIGV4_SIGNATURE');
    const lifetime = c.mode === 'header' ? 15 * 60 : Number(/X-Amz-Expires=(\d+)/.exec(c.url)![1]);
    const at = (s: number) => () => new Date(Date.parse(out.signedAt) + s * 1000);
    expect(await code(r, { now: at(lifetime) })).toBe('ok');
    expect(await code(r, { now: at(lifetime + 1) })).toBe(c.mode === 'header' ? 'ERR_SIGV4_SKEW' : 'ERR_SIGV4_EXPIRED');
    expect(await code(r, { region: 'us-east-1' })).toBe('ERR_SIGV4_SCOPE');
  });

  it('gets the same signature from @smithy/signature-v4', async () => {
    const c = byName(name);
    if (name === 'presigned-s3-session-token') return; // S3 presigners hide UNSIGNED-PAYLOAD from the URL; signRequest/presignRequest do not
    const r = received(c);
    const signedNames = new Set(decodeURIComponent(/SignedHeaders=([^,&]*)/.exec(c.mode === 'header' ? r.headers.authorization! : r.url)![1]!).split(';'));
    const headers = Object.fromEntries(
      Object.entries(r.headers).filter(([k]) => signedNames.has(k) && !['x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'].includes(k)),
    );
    const common = {
      service: c.service,
      region: c.region,
      signingDate: new Date(out.signedAt),
      uriEscapePath: c.uriEscapePath,
      applyChecksum: signedNames.has('x-amz-content-sha256'),
      credentials: {
        accessKeyId: out.accessKeyId,
        secretAccessKey: out.secretAccessKey,
        ...(name.includes('session-token') ? { sessionToken: out.sessionToken } : {}),
      },
    };
    if (c.mode === 'header') {
      const mine = await signRequest({ ...r, headers }, common);
      expect(mine.headers.authorization).toBe(r.headers.authorization);
    } else {
      const unsigned = r.url.replace(/[?&]X-Amz-[A-Za-z]+=[^&]*/g, '').replace(/^([^?&]*)&/, '$1?');
      const mine = await presignRequest({ ...r, url: unsigned, headers }, { ...common, expiresIn: Number(/X-Amz-Expires=(\d+)/.exec(c.url)![1]) });
      expect(/X-Amz-Signature=([0-9a-f]{64})/.exec(mine.url)![1]).toBe(/X-Amz-Signature=([0-9a-f]{64})/.exec(c.url)![1]);
    }
  });
});
