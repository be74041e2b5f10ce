/**
 * Failed client authentications are limited so that nobody can lock a client out from elsewhere: client ids are not
 * secrets. Over real sockets on loopback (127.0.0.0/8), each request's source address chosen by binding the client's
 * side of the connection (127.0.0.2 plays the attacker); the server listens on 127.0.0.1 and trusts no proxy header.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

let cat: TestCatalog;
let port: number;

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  await cat.lakegate.app.listen({ host: '127.0.0.1', port: 0 });
  port = (cat.lakegate.app.server.address() as AddressInfo).port;
});
afterAll(async () => cat?.close());

/** One POST on a connection of its own, from `from`. */
function post(
  from: string,
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: 'POST', localAddress: from, agent: false, headers: { connection: 'close', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const token = (from: string, clientId: string, secret: string, headers: Record<string, string> = {}) =>
  post(from, '/v1/oauth/tokens', new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
    ...headers,
  });
const consoleSignIn = (from: string, clientId: string, secret: string) =>
  post(from, '/ui/auth/login', JSON.stringify({ clientId, clientSecret: secret }), { 'content-type': 'application/json' });

async function statuses(n: number, attempt: (i: number) => Promise<{ status: number }>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await attempt(i)).status);
  return out;
}

describe('failed client authentication limits', () => {
  it('do not let failures from another address lock the client out: the right secret from its own address gets a token', async () => {
    const victim = await cat.lakegate.principals.create('lockout-victim');
    expect(await statuses(12, (i) => token('127.0.0.2', victim.clientId, `guess-${i}`))).toEqual([...Array(10).fill(401), 429, 429]);
    const own = await token('127.0.0.1', victim.clientId, victim.clientSecret);
    expect(own.status, own.text).toBe(200);
    expect(JSON.parse(own.text).access_token).toBeTruthy();
    // Console sign-in shares the limiter, and is not locked out either.
    expect((await consoleSignIn('127.0.0.1', victim.clientId, victim.clientSecret)).status).toBe(200);
    // The attacker's address stays throttled, even with the right secret.
    const attacker = await token('127.0.0.2', victim.clientId, victim.clientSecret);
    expect(attacker.status).toBe(429);
    expect(Number(attacker.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(attacker.text).error).toBe('slow_down');
  });

  it('keep brute force from one address as slow as before, console sign-ins counting with token requests', async () => {
    const target = await cat.lakegate.principals.create('brute-target');
    const tries = await statuses(12, (i) => (i % 2 ? token('127.0.0.3', target.clientId, `g${i}`) : consoleSignIn('127.0.0.3', target.clientId, `g${i}`)));
    expect(tries).toEqual([...Array(10).fill(401), 429, 429]);
  });

  it('count the socket’s address, not an X-Forwarded-For the caller sends', async () => {
    const victim = await cat.lakegate.principals.create('xff-victim');
    const spoofed = await statuses(11, (i) => token('127.0.0.4', victim.clientId, `guess-${i}`, { 'x-forwarded-for': `127.0.0.${100 + i}` }));
    expect(spoofed).toEqual([...Array(10).fill(401), 429]);
    // Claiming the victim's own address in the header neither escapes the limit nor locks the victim out.
    expect((await token('127.0.0.4', victim.clientId, 'again', { 'x-forwarded-for': '127.0.0.1' })).status).toBe(429);
    expect((await token('127.0.0.1', victim.clientId, victim.clientSecret)).status).toBe(200);
  });

  it('cap guesses spread over many addresses at a global budget, which does not stop the addresses the client signed in from', async () => {
    const victim = await cat.lakegate.principals.create('spread-victim');
    expect((await token('127.0.0.1', victim.clientId, victim.clientSecret)).status).toBe(200);
    // 100 failures (the global budget) from ten addresses, ten each; fresh addresses are then refused.
    const spread = await statuses(100, (i) => token(`127.0.1.${Math.floor(i / 10) + 1}`, victim.clientId, `guess-${i}`));
    expect(spread).toEqual(Array(100).fill(401));
    expect((await token('127.0.1.50', victim.clientId, 'more')).status).toBe(429);
    expect((await token('127.0.1.51', victim.clientId, victim.clientSecret)).status).toBe(429);
    // The address the client signed in from before still signs in.
    expect((await token('127.0.0.1', victim.clientId, victim.clientSecret)).status).toBe(200);
  });

  it('keep no more of a client id than a fixed size, however long the one sent: console sign-in logged it whole', async () => {
    const long = `${'x'.repeat(1_000_000)}-console`;
    expect((await consoleSignIn('127.0.0.6', long, 'guess')).status).toBe(401);
    expect((await token('127.0.0.6', long.slice(0, 60_000), 'guess')).status).toBe(401);
    expect(cat.logs()).toContain('console.signin.failed');
    expect(cat.logs()).not.toContain('x'.repeat(1000));
  });
});
