/**
 * Federation with a real IdP: Keycloak (scripts/peers/keycloak.sh, realm
 * peers/keycloak/lakegate-realm.json) as a trusted issuer of Lakegate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Federation, type Keycloak, KEYCLOAK_CLIENTS, KEYCLOAK_USERS, jwtPayload, startFederation } from '../support/keycloak.js';
import { READ_ONLY, READ_WRITE_ALL, addMember, grant } from '../support/access.js';
import { httpSender, simpleSchema } from '../support/iceberg-http.js';
import { clientToken, createGrantedPrincipal, createPrincipal, type ServerProcess } from '../support/server-process.js';

let kc: Keycloak;
let server: ServerProcess;
let federation: Federation | undefined;

beforeAll(async () => {
  federation = await startFederation();
  ({ kc, server } = federation);
});
afterAll(async () => federation?.stop());

const config = (token: string) => fetch(`${server.url}/v1/config`, { headers: { authorization: `Bearer ${token}` } });

/** An exchange as Iceberg Java sends it: the engine's token (the actor token) as the Bearer that authenticates the client. */
const exchangeAtLakegate = async (params: Record<string, string>) => {
  const res = await fetch(`${server.url}/v1/oauth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${params.actor_token}` },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', ...params }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
};

describe('Keycloak as a trusted issuer', () => {
  it("accepts a Keycloak user's token as that user", async () => {
    const alice = await kc.userToken(KEYCLOAK_USERS.alice.username, KEYCLOAK_USERS.alice.password);
    expect((await config(alice)).status).toBe(200);
    // A token with a Keycloak-looking payload but a forged signature is refused.
    const [h, p] = alice.split('.');
    expect((await config(`${h}.${p}.${'A'.repeat(342)}`)).status).toBe(401);
  });

  it("accepts the result of Keycloak's standard token exchange (V2)", async () => {
    const alice = await kc.userToken(KEYCLOAK_USERS.alice.username, KEYCLOAK_USERS.alice.password);
    const exchanged = await kc.exchange(KEYCLOAK_CLIENTS.trino.clientId, KEYCLOAK_CLIENTS.trino.secret, alice);
    expect(jwtPayload(exchanged).azp).toBe('trino-engine');
    expect((await config(exchanged)).status).toBe(200);
  });

  it("delegates: a Keycloak user's token as subject and an engine's Lakegate token as actor", async () => {
    const engine = await createPrincipal(server, 'trino', { groups: [{ issuer: kc.issuer, name: 'analysts' }] });
    const engineToken = await clientToken(server.url, engine.credential);
    const alice = await kc.userToken(KEYCLOAK_USERS.alice.username, KEYCLOAK_USERS.alice.password);
    const bob = await kc.userToken(KEYCLOAK_USERS.bob.username, KEYCLOAK_USERS.bob.password);
    const common = {
      actor_token: engineToken,
      actor_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    };

    const delegated = await exchangeAtLakegate({ ...common, subject_token: alice });
    expect(delegated.status).toBe(200);
    const claims = jwtPayload(delegated.body.access_token!);
    expect(claims.sub).toBe('alice');
    expect(claims.act).toEqual({ sub: engine.id });
    expect(claims.groups).toContain('analysts');
    expect((await config(delegated.body.access_token!)).status).toBe(200);

    // bob is an engineer, not an analyst: the engine may not act for him.
    const refused = await exchangeAtLakegate({ ...common, subject_token: bob });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_request');
    expect(await server.settledOutput()).not.toContain(alice);
  });
});

describe('authorization by IdP group (Keycloak)', () => {
  it('lets a user whose group holds a reader role read and not write, also when an engine acts for the user', async () => {
    const admin = httpSender(server.url, await server.token());
    expect((await admin('POST', '/v1/default/namespaces', { namespace: ['kc_sales'] })).status).toBe(200);
    const created = await admin('POST', '/v1/default/namespaces/kc_sales/tables', { name: 'orders', schema: simpleSchema });
    expect(created.status).toBe(200);
    // The Keycloak group "analysts" holds a reader role; nobody pre-created alice in Lakegate.
    await addMember(admin, 'kc-readers', { kind: 'group', issuer: kc.issuer, name: 'analysts' });
    await grant(admin, 'kc-readers', READ_ONLY, { type: 'namespace', warehouse: 'default', namespace: ['kc_sales'] });

    const write = { requirements: [], updates: [{ action: 'set-properties', updates: { touched: 'yes' } }] };
    const table = '/v1/default/namespaces/kc_sales/tables/orders';
    const alice = httpSender(server.url, await kc.userToken(KEYCLOAK_USERS.alice.username, KEYCLOAK_USERS.alice.password));
    expect((await alice('GET', table)).status).toBe(200);
    expect((await alice('GET', '/v1/default/namespaces/kc_sales/tables')).body.identifiers).toEqual([{ namespace: ['kc_sales'], name: 'orders' }]);
    expect((await alice('POST', table, write)).status).toBe(403);
    expect((await alice('DELETE', `${table}?purgeRequested=true`)).status).toBe(403);
    // bob is an engineer, not an analyst.
    const bob = httpSender(server.url, await kc.userToken(KEYCLOAK_USERS.bob.username, KEYCLOAK_USERS.bob.password));
    expect((await bob('GET', table)).status).toBe(403);

    // An engine that may write everything acts for alice: alice's grants decide, not the engine's.
    const engine = await createGrantedPrincipal(
      server,
      'kc-engine',
      READ_WRITE_ALL,
      { type: 'warehouse', warehouse: 'default' },
      { groups: [{ issuer: kc.issuer, name: 'analysts' }] },
    );
    const engineToken = await clientToken(server.url, engine.credential);
    const exchanged = await exchangeAtLakegate({
      subject_token: await kc.userToken(KEYCLOAK_USERS.alice.username, KEYCLOAK_USERS.alice.password),
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      actor_token: engineToken,
      actor_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    });
    expect(exchanged.status).toBe(200);
    const delegated = httpSender(server.url, exchanged.body.access_token!);
    expect((await delegated('GET', table)).status).toBe(200);
    expect((await delegated('POST', table, write)).status).toBe(403);
    expect((await httpSender(server.url, engineToken)('POST', table, write)).status).toBe(200);
    // The denial names alice and the engine acting for her.
    const denied = (await admin('GET', '/management/v1/audit?decision=deny&object=kc_sales.orders&limit=50')).body.events as Array<{
      actor: string;
      action: string;
    }>;
    expect(denied).toContainEqual(expect.objectContaining({ actor: `user:alice via ${engine.id}`, action: 'table:write-data' }));
    expect(denied).toContainEqual(expect.objectContaining({ actor: 'user:alice', action: 'table:write-data' }));
  });
});
