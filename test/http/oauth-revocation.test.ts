/**
 * RFC 7009 revocation and RFC 7662 introspection at the built-in issuer, advertised in its RFC 8414 metadata: who
 * may revoke or look at which token, what revocation ends (the whole session), and that neither endpoint tells
 * anything about tokens the caller may not see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerSender } from '../support/inject.js';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE, basic, bearer, claimsOf, clientToken, oauthPost } from '../support/oauth.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

const ISSUER = 'http://127.0.0.1:8181';
let cat: TestCatalog;

beforeAll(async () => {
  cat = await startInProcess({ LAKEGATE_CLIENT_CREDENTIALS_REFRESH_TOKENS: 'true' }, { auth: true });
});
afterAll(async () => cat?.close());

const revoke = (params: Record<string, string>, headers: Record<string, string>) => oauthPost(cat.lakegate.app, params, headers, '/v1/oauth/revoke');
const introspect = (params: Record<string, string>, headers: Record<string, string>) => oauthPost(cat.lakegate.app, params, headers, '/v1/oauth/introspect');
const works = async (token: string) => (await bearerSender(cat.lakegate.app, token)('GET', '/v1/config')).status === 200;
const principal = () => cat.lakegate.principals.create('revoker');

describe('RFC 8414 metadata', () => {
  it('advertises the revocation and introspection endpoints, their client authentication and the scopes', async () => {
    const meta = (await cat.lakegate.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json();
    expect(meta).toMatchObject({
      revocation_endpoint: `${ISSUER}/v1/oauth/revoke`,
      introspection_endpoint: `${ISSUER}/v1/oauth/introspect`,
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: ['catalog', 'catalog:read', 'management'],
    });
  });
});

describe('RFC 7009 revocation', () => {
  it('revokes the session of an access token: its renewals and refresh token stop too; the client authenticates', async () => {
    const p = await principal();
    const issued = await clientToken(cat.lakegate.app, p.clientId, p.clientSecret);
    const renewed = (
      await oauthPost(
        cat.lakegate.app,
        { grant_type: TOKEN_EXCHANGE, subject_token: issued.access_token, subject_token_type: ACCESS_TOKEN_TYPE },
        bearer(issued.access_token),
      )
    ).body.access_token as string;
    expect(await works(renewed)).toBe(true);

    expect(await revoke({ token: issued.access_token }, {})).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const res = await revoke({ token: issued.access_token, token_type_hint: 'access_token' }, basic(p.clientId, p.clientSecret));
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(await works(issued.access_token)).toBe(false);
    expect(await works(renewed)).toBe(false);
    const refresh = await oauthPost(cat.lakegate.app, { grant_type: 'refresh_token', refresh_token: issued.refresh_token! }, basic(p.clientId, p.clientSecret));
    expect(refresh).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // The credential still works.
    expect(await works((await clientToken(cat.lakegate.app, p.clientId, p.clientSecret)).access_token)).toBe(true);
  });

  it('lets a holder revoke its token with the token itself as Bearer, and revokes by refresh token too', async () => {
    const p = await principal();
    const issued = await clientToken(cat.lakegate.app, p.clientId, p.clientSecret);
    expect((await revoke({ token: issued.refresh_token!, token_type_hint: 'refresh_token' }, bearer(issued.access_token))).status).toBe(200);
    expect(await works(issued.access_token)).toBe(false);
    const again = await clientToken(cat.lakegate.app, p.clientId, p.clientSecret);
    expect((await revoke({ token: again.access_token }, bearer(again.access_token))).status).toBe(200);
    expect(await works(again.access_token)).toBe(false);
  });

  it("refuses to revoke another client's token, and answers unknown tokens with 200 (§2.2)", async () => {
    const owner = await principal();
    const other = await principal();
    const token = (await clientToken(cat.lakegate.app, owner.clientId, owner.clientSecret)).access_token;
    expect(await revoke({ token }, basic(other.clientId, other.clientSecret))).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
    expect(await works(token)).toBe(true);
    expect((await revoke({ token: 'not-a-token' }, basic(other.clientId, other.clientSecret))).status).toBe(200);
    expect(await revoke({ token }, basic(owner.clientId, 'wrong'))).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const audit = (
      await bearerSender(cat.lakegate.app, (await clientToken(cat.lakegate.app, cat.admin().client_id, cat.admin().client_secret)).access_token)(
        'GET',
        '/management/v1/audit?type=token.revoked',
      )
    ).body.events;
    expect(audit.length).toBeGreaterThanOrEqual(3);
  });
});

describe('RFC 7662 introspection', () => {
  it("describes the caller's own active tokens, and answers active:false for revoked, foreign or invalid ones", async () => {
    const p = await principal();
    const other = await principal();
    const issued = await clientToken(cat.lakegate.app, p.clientId, p.clientSecret, { scope: 'catalog:read' });
    const active = await introspect({ token: issued.access_token }, basic(p.clientId, p.clientSecret));
    expect(active.status).toBe(200);
    expect(active.body).toMatchObject({
      active: true,
      sub: p.clientId,
      client_id: p.clientId,
      scope: 'catalog:read',
      token_type: 'Bearer',
      iss: ISSUER,
      sid: claimsOf(issued.access_token).sid,
    });
    expect(active.body.exp).toBe(claimsOf(issued.access_token).exp);
    const refresh = await introspect({ token: issued.refresh_token!, token_type_hint: 'refresh_token' }, bearer(issued.access_token));
    expect(refresh.body).toMatchObject({ active: true, token_type: 'refresh_token' });

    expect((await introspect({ token: issued.access_token }, basic(other.clientId, other.clientSecret))).body).toEqual({ active: false });
    expect((await introspect({ token: 'garbage' }, basic(p.clientId, p.clientSecret))).body).toEqual({ active: false });
    expect(await introspect({ token: issued.access_token }, {})).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    // An administrator of the tenant sees every token of it.
    const admin = cat.admin();
    expect((await introspect({ token: issued.access_token }, basic(admin.client_id, admin.client_secret))).body.active).toBe(true);

    await revoke({ token: issued.access_token }, basic(p.clientId, p.clientSecret));
    expect((await introspect({ token: issued.access_token }, basic(p.clientId, p.clientSecret))).body).toEqual({ active: false });
    expect((await introspect({ token: issued.refresh_token! }, basic(p.clientId, p.clientSecret))).body).toEqual({ active: false });
  });

  it('shows a used refresh token as inactive after rotation', async () => {
    const p = await principal();
    const issued = await clientToken(cat.lakegate.app, p.clientId, p.clientSecret);
    const next = await oauthPost(cat.lakegate.app, { grant_type: 'refresh_token', refresh_token: issued.refresh_token! }, basic(p.clientId, p.clientSecret));
    expect(next.status).toBe(200);
    expect((await introspect({ token: issued.refresh_token! }, basic(p.clientId, p.clientSecret))).body).toEqual({ active: false });
    expect((await introspect({ token: next.body.refresh_token as string }, basic(p.clientId, p.clientSecret))).body.active).toBe(true);
  });
});
