/**
 * Identity review (RFC 6749, RFC 8693 and the documented revocation rules), found with real requests against a
 * running server. Each test fails on the code before its fix.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearerSender } from '../support/inject.js';
import { ACCESS_TOKEN_TYPE, JWT_TYPE, TOKEN_EXCHANGE, basic, bearer, claimsOf, clientToken, oauthPost, unsignedJwt } from '../support/oauth.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

let now = Date.now();
const clock = { now: () => now };
let cat: TestCatalog;

beforeAll(async () => {
  cat = await startInProcess({ LAKEGATE_CLIENT_CREDENTIALS_REFRESH_TOKENS: 'true' }, { auth: true, clock });
});
afterAll(async () => {
  await cat?.close();
});
beforeEach(() => {
  now = Date.now();
});

/** Revocations count in whole seconds (security.md, Known limits): step past the second one happened in. */
const nextSecond = () => {
  now = (Math.floor(now / 1000) + 2) * 1000;
};
const adminToken = async () => (await clientToken(cat.lakegate.app, cat.admin().client_id, cat.admin().client_secret)).access_token;
const manage = async (method: string, url: string, body?: unknown) => bearerSender(cat.lakegate.app, await adminToken())(method, url, body);
const createPrincipal = async (name: string, delegation?: unknown) => {
  const res = await manage('POST', '/management/v1/principals', { name, ...(delegation ? { delegation } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { clientId: res.body['client-id'] as string, secret: res.body['client-secret'] as string };
};
const setDelegation = async (clientId: string, delegation: unknown) => expect((await manage('PUT', `/management/v1/principals/${clientId}/delegation`, delegation)).status).toBe(200);
const tokenOf = async (p: { clientId: string; secret: string }, extra: Record<string, string> = {}) => clientToken(cat.lakegate.app, p.clientId, p.secret, extra);
const status = async (token: string) => (await cat.lakegate.app.inject({ method: 'GET', url: '/v1/config', headers: bearer(token) })).statusCode;
const delegate = (subject: string, engineToken: string, type = ACCESS_TOKEN_TYPE) =>
  oauthPost(cat.lakegate.app, { grant_type: TOKEN_EXCHANGE, subject_token: subject, subject_token_type: type, actor_token: engineToken, actor_token_type: ACCESS_TOKEN_TYPE }, bearer(engineToken));

describe('observed: a represented service principal whose tokens were ever revoked could never be represented again', () => {
  it("accepts delegated tokens issued after the subject's revocation, and refuses those issued before it (disable, then enable, revives none)", async () => {
    const subject = await createPrincipal('represented-svc');
    const engine = await createPrincipal('represents-svc', { users: [subject.clientId] });
    // Once, long ago: the subject's tokens were revoked (or it was disabled and enabled again).
    expect((await manage('POST', `/management/v1/principals/${subject.clientId}/revoke-tokens`)).status).toBe(204);
    nextSecond();

    const res = await delegate((await tokenOf(subject)).access_token, (await tokenOf(engine)).access_token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const delegated = res.body.access_token as string;
    // Before the fix: 401 "the principal's tokens were revoked", for every delegated token of this subject, forever.
    expect(await status(delegated)).toBe(200);
    const renewed = await oauthPost(cat.lakegate.app, { grant_type: TOKEN_EXCHANGE, subject_token: delegated, subject_token_type: ACCESS_TOKEN_TYPE }, bearer(delegated));
    expect(renewed.status, JSON.stringify(renewed.body)).toBe(200);

    // Disabling the subject ends the tokens an engine holds through it; enabling it again revives none of them.
    nextSecond();
    expect((await manage('POST', `/management/v1/principals/${subject.clientId}/disable`)).status).toBe(200);
    expect(await status(delegated)).toBe(401);
    expect((await manage('POST', `/management/v1/principals/${subject.clientId}/enable`)).status).toBe(200);
    nextSecond();
    expect(await status(delegated)).toBe(401);
    expect(await status(renewed.body.access_token as string)).toBe(401);
  });
});
