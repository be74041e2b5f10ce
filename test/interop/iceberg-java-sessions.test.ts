/**
 * Iceberg Java 1.11's REST client (the jars of scripts/peers/iceberg-java.sh) against a real
 * Lakegate process, with a real Keycloak as the users' IdP (test/support/keycloak.ts):
 *  a) RESTCatalog with `credential=<client_id>:<secret>` works as the engine principal;
 *  b) a contextual session (RESTSessionCatalog.asCatalog(SessionContext)) whose credentials carry
 *     a Keycloak user's access token makes Iceberg's OAuth2Manager perform an RFC 8693 exchange at
 *     our token endpoint (subject_token = the user's token, actor_token = the engine's catalog
 *     token), after which every catalog call is made as sub=user with act=engine, also after
 *     Iceberg refreshed that token by self-exchange (the server re-checks the delegation then);
 *  c) an engine whose delegation does not cover that user gets invalid_request (RFC 8693 §2.2.2),
 *     which Iceberg Java surfaces as BadRequestException.
 * Who made each request is read from the server's request log (the `actor` field of "request
 * completed") and the exchange itself from the audit trail (GET /management/v1/audit). A test's
 * requests are those logged while its Java program ran (requestsDuring, which reads the log settled
 * before and after: the set-up's last lines, such as its 409s for roles that exist already, are not
 * the test's).
 *
 * What Iceberg 1.11's OAuth2Manager honours in SessionContext.credentials, in this order:
 * `token` (used as the bearer token as is, no exchange), `credential` (client credentials), then the
 * token-type URNs id_token, access_token, jwt, saml2, saml1 (exchanged, with the session's token as
 * actor_token and its issued_token_type as actor_token_type).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Federation, type Keycloak, KEYCLOAK_USERS, startFederation, trustedIssuers } from '../support/keycloak.js';
import { icebergJavaLib } from '../support/peers.js';
import { addMember, grant } from '../support/access.js';
import { httpSender } from '../support/iceberg-http.js';
import { createPrincipal, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { auditTrail, describeRequests, type LoggedRequest, requestLog, requestsDuring } from '../support/request-log.js';
import { runAsync } from '../support/temp.js';

const PROGRAM = path.join(REPO_ROOT, 'test', 'interop', 'java', 'IcebergSessions.java');
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const TOKEN_TTL_SECONDS = 10;
const JAVA = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';

let lib: string;
let kc: Keycloak;
let server: ServerProcess;
let federation: Federation | undefined;
/** "client_id:client_secret" of engines: `spark` may act for the analysts group (alice), `rogue` only for bob. */
const engines: Record<'spark' | 'rogue', { clientId: string; credential: string }> = {} as never;

beforeAll(async () => {
  lib = icebergJavaLib();
  // Short-lived tokens, so that test b) sees Iceberg Java refresh its exchanged token (at 90% of its lifetime).
  federation = await startFederation({ LAKEGATE_ACCESS_TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS) });
  ({ kc, server } = federation);
  for (const [name, delegation] of [
    ['spark', { groups: [{ issuer: kc.issuer, name: 'analysts' }] }],
    ['rogue', { users: [{ issuer: kc.issuer, name: KEYCLOAK_USERS.bob.username }] }],
  ] as const) {
    const created = await createPrincipal(server, name, delegation);
    engines[name] = { clientId: created.id, credential: created.credential };
  }
  // Neither is an admin. The engine may do the steps in its own name (a); in a user's session (b) the user's own
  // grants decide, here through the Keycloak group analysts — never the engine's.
  const admin = httpSender(server.url, await server.token());
  const steps = ['namespace:create', 'namespace:list', 'namespace:drop', 'table:create', 'table:list', 'table:write-data', 'table:drop'];
  // (write-data: the program drops with purge, which deletes data)
  await addMember(admin, 'engine-jobs', { kind: 'principal', name: engines.spark.clientId });
  await grant(admin, 'engine-jobs', steps, { type: 'warehouse', warehouse: 'default' });
  await addMember(admin, 'analysts', { kind: 'group', issuer: kc.issuer, name: 'analysts' });
  await grant(admin, 'analysts', steps, { type: 'warehouse', warehouse: 'default' });
});
afterAll(async () => federation?.stop());

/** Runs IcebergSessions.java; secrets go through the environment, not argv. */
async function runJava(mode: 'engine' | 'delegated', env: Record<string, string>, on: ServerProcess = server) {
  const run = await runAsync(JAVA, ['-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', `${lib}/*`, PROGRAM, mode], {
    env: { ...process.env, LAKEGATE_URI: on.url, LAKEGATE_WAREHOUSE: 'default', ...env },
    timeoutMs: 240_000,
  });
  return { ...run, lines: run.stdout.trim().split('\n') };
}

const steps = (ns: string) => [
  `ok create-namespace ${ns}`,
  'ok list-namespaces',
  'ok load-namespace',
  `ok create-table ${ns}.events`,
  `ok load-table ${ns}.events`,
  'ok list-tables',
  `ok drop-table ${ns}.events`,
  `ok drop-namespace ${ns}`,
];

/** Requests answered 300 or more, named (an assertion's message says which). */
const failed = (requests: LoggedRequest[]) => describeRequests(requests.filter((r) => r.status >= 300));

const audit = (on: ServerProcess = server) => auditTrail(on);

const touching = (ns: string) => (r: LoggedRequest) => r.url.includes(`/namespaces/${ns}`) || (r.method === 'POST' && r.url.endsWith('/namespaces'));

describe('Iceberg Java RESTCatalog against Lakegate', () => {
  it('a) with credential=<client_id>:<secret> creates, loads, lists and drops as the engine', async () => {
    const { result: run, requests } = await requestsDuring(server, () =>
      runJava('engine', { LAKEGATE_CREDENTIAL: engines.spark.credential, LAKEGATE_NAMESPACE: 'java_engine' }),
    );
    expect(run.lines, run.stderr).toEqual(['ok initialize', ...steps('java_engine')]);
    expect(run.status).toBe(0);

    // The client credentials grant at the (public) token endpoint, then the catalog calls as the engine.
    expect(requests.some((r) => r.method === 'POST' && r.url === '/v1/oauth/tokens' && r.status === 200)).toBe(true);
    const catalogCalls = requests.filter(touching('java_engine'));
    expect(catalogCalls.map((r) => `${r.method} ${r.url.replace(/\?.*/, '')}`)).toEqual(
      expect.arrayContaining(['POST /v1/default/namespaces', 'POST /v1/default/namespaces/java_engine/tables', 'DELETE /v1/default/namespaces/java_engine']),
    );
    for (const r of catalogCalls) expect(r.actor, `${r.method} ${r.url}`).toBe(`service:${engines.spark.clientId}`);
  });

  it("b) a contextual session with a Keycloak user's token exchanges it (RFC 8693) and works as sub=user, act=engine", async () => {
    const alice = await kc.userToken(KEYCLOAK_USERS.alice.username, KEYCLOAK_USERS.alice.password);
    const auditBefore = (await audit()).length;
    const { result: run, requests } = await requestsDuring(server, () =>
      runJava('delegated', {
        LAKEGATE_CREDENTIAL: engines.spark.credential,
        LAKEGATE_SUBJECT_TOKEN: alice,
        LAKEGATE_SUBJECT_TOKEN_TYPE: ACCESS_TOKEN_TYPE,
        LAKEGATE_NAMESPACE: 'java_alice',
        LAKEGATE_REFRESH_WAIT_MS: String(TOKEN_TTL_SECONDS * 1500),
      }),
    );
    expect(run.lines, run.stderr).toEqual(['ok initialize', ...steps('java_alice'), 'ok list-namespaces-after-refresh', 'ok engine-list-namespaces']);
    expect(run.status).toBe(0);

    // The audit trail (newest first): the engine's client credentials grant, then one exchange
    // of alice's Keycloak token with the engine as actor. One exchange: the session is cached.
    const events = (await audit()).slice(0, -auditBefore || undefined);
    const delegated = events.filter((e) => e.type === 'token.delegated');
    expect(delegated).toEqual([
      expect.objectContaining({
        actor: `user:alice via service:${engines.spark.clientId}`,
        detail: expect.objectContaining({ subjectIssuer: kc.issuer, how: 'external', scope: 'catalog' }),
      }),
    ]);
    expect(events.some((e) => e.type === 'token.issued' && e.actor === `service:${engines.spark.clientId}`)).toBe(true);
    // Iceberg refreshed alice's exchanged token by self-exchange; the server re-checked the delegation.
    expect(events.some((e) => e.type === 'token.refreshed' && e.actor === 'user:alice')).toBe(true);
    expect(events.some((e) => e.type === 'token.delegation.denied')).toBe(false);

    // Every call on the user's namespace was authenticated as alice acting through the engine.
    const userCalls = requests.filter(touching('java_alice'));
    expect(userCalls.length).toBeGreaterThanOrEqual(7);
    for (const r of userCalls) expect(r.actor, `${r.method} ${r.url}`).toBe(`user:alice via ${engines.spark.clientId}`);
    expect(failed(userCalls)).toEqual([]);
    // The call after the refresh, too.
    const userLists = requests.filter((r) => r.method === 'GET' && r.url.startsWith('/v1/default/namespaces?'));
    expect(userLists.at(-2)?.actor).toBe(`user:alice via ${engines.spark.clientId}`);
    // Token requests: client credentials for the engine, the exchange for alice, then refreshes of
    // both (how many depends on how long the JVM took), every one granted.
    const tokenRequests = requests.filter((r) => r.url === '/v1/oauth/tokens').map((r) => r.status);
    expect(tokenRequests.length).toBeGreaterThanOrEqual(4);
    expect(tokenRequests.every((s) => s === 200)).toBe(true);
    // The engine's own context stayed the engine.
    expect(userLists.at(-1)?.actor).toBe(`service:${engines.spark.clientId}`);
    // Neither the user's token nor the engine's secret reached the log.
    const logged = await server.settledOutput();
    expect(logged).not.toContain(alice);
    expect(logged).not.toContain(engines.spark.credential.split(':')[1]);
  });

  it('c) an engine not allowed to act for the user gets invalid_request, surfaced by Iceberg Java', async () => {
    const alice = await kc.userToken(KEYCLOAK_USERS.alice.username, KEYCLOAK_USERS.alice.password);
    const { result: run, requests } = await requestsDuring(server, () =>
      runJava('delegated', {
        LAKEGATE_CREDENTIAL: engines.rogue.credential,
        LAKEGATE_SUBJECT_TOKEN: alice,
        LAKEGATE_SUBJECT_TOKEN_TYPE: ACCESS_TOKEN_TYPE,
        LAKEGATE_NAMESPACE: 'java_rogue',
      }),
    );
    expect(run.status).toBe(3);
    expect(run.lines).toEqual([
      'ok initialize',
      'failed org.apache.iceberg.exceptions.BadRequestException: Malformed request: invalid_request: the actor is not allowed to act for this subject',
    ]);

    const denied = (await audit()).find((e) => e.type === 'token.delegation.denied' && e.actor === `service:${engines.rogue.clientId}`);
    expect(denied?.detail).toMatchObject({ subject: 'alice', subjectIssuer: kc.issuer, how: 'external' });
    // The engine's client credentials (and, on a slow machine, its refreshes) granted; the exchange refused.
    const tokenRequests = requests.filter((r) => r.url === '/v1/oauth/tokens').map((r) => r.status);
    expect(tokenRequests.filter((s) => s !== 200)).toEqual([400]);
    expect(tokenRequests[0]).toBe(200);
    // Nothing reached the catalog as alice through this engine.
    expect(requests.filter(touching('java_rogue'))).toEqual([]);
    expect(requests.some((r) => r.actor?.startsWith('user:alice'))).toBe(false);
    expect(await server.settledOutput()).not.toContain(alice);
  });
});

/**
 * Sessions longer than the server's maximum session lifetime (15 s here, with 5-second tokens). Iceberg Java renews
 * by self-exchange with the token as Bearer until the server refuses (the session is over), then, by itself, with its
 * credential as Basic (OAuth2Util.AuthSession.refreshExpiredToken): a new session, transparently. A user session it
 * holds through an engine that asserts identities (Trino's USER mode) is renewed the same way; a session of a user an
 * IdP vouched for is not, since the engine's credential does not prove the user again.
 */
describe('Iceberg Java past the maximum session lifetime', () => {
  const MAX_SESSION_SECONDS = 15;
  const WAIT_MS = String(MAX_SESSION_SECONDS * 2500);
  let short: ServerProcess;
  let engine: { id: string; credential: string };
  beforeAll(async () => {
    short = await startServer({
      env: {
        LAKEGATE_TRUSTED_ISSUERS: trustedIssuers(kc),
        LAKEGATE_ACCESS_TOKEN_TTL_SECONDS: '5',
        LAKEGATE_MAX_SESSION_LIFETIME_SECONDS: String(MAX_SESSION_SECONDS),
      },
    });
    engine = await createPrincipal(short, 'long-running', {
      users: [{ issuer: 'asserted', name: 'carol' }],
      groups: [{ issuer: kc.issuer, name: 'analysts' }],
      'assert-identity': true,
    });
    const admin = httpSender(short.url, await short.token());
    const steps = ['namespace:create', 'namespace:list', 'namespace:drop', 'table:create', 'table:list', 'table:write-data', 'table:drop'];
    await addMember(admin, 'jobs', { kind: 'principal', name: engine.id });
    await addMember(admin, 'jobs', { kind: 'user', issuer: 'asserted', name: 'carol' });
    await addMember(admin, 'jobs', { kind: 'group', issuer: kc.issuer, name: 'analysts' });
    await grant(admin, 'jobs', steps, { type: 'warehouse', warehouse: 'default' });
  });
  afterAll(async () => short?.stop());

  const refreshes = async (actor: string) => (await audit(short)).filter((e) => e.type === 'token.refreshed' && e.actor === actor);

  // d) and e) run at once: each mostly waits for its session to end (WAIT_MS), and e)'s requests all succeed, so d)'s
  // window of the log (every request but the token endpoint answered below 300) holds for both.
  it.concurrent('d) the catalog session re-authenticates with its credential (Basic) once its session ends, and keeps working', async ({ expect }) => {
    const { result: run, requests } = await requestsDuring(short, () =>
      runJava('engine', { LAKEGATE_CREDENTIAL: engine.credential, LAKEGATE_NAMESPACE: 'java_long', LAKEGATE_REFRESH_WAIT_MS: WAIT_MS }, short),
    );
    expect(run.lines, run.stderr).toEqual(['ok initialize', ...steps('java_long'), 'ok list-namespaces-after-refresh']);
    expect(failed(requests.filter((r) => r.url !== '/v1/oauth/tokens'))).toEqual([]);
    const events = await refreshes(`service:${engine.id}`);
    // Renewals within the session (Bearer), then a new session after the client authenticated again (Basic).
    expect(events.some((e) => e.detail.authenticated === 'bearer' && e.detail.newSession === false)).toBe(true);
    expect(events.some((e) => e.detail.authenticated === 'client-credentials' && e.detail.newSession === true)).toBe(true);
    expect(await short.settledOutput()).not.toContain(engine.credential.split(':')[1]);
  });

  it.concurrent("e) a user session through an assert-identity engine (Trino's USER mode) is renewed past it the same way", async ({ expect }) => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const carol = `${b64({ alg: 'none' })}.${b64({ sub: 'carol', iss: 'java-test' })}.`;
    const run = await runJava(
      'delegated',
      {
        LAKEGATE_CREDENTIAL: engine.credential,
        LAKEGATE_SUBJECT_TOKEN: carol,
        LAKEGATE_SUBJECT_TOKEN_TYPE: 'urn:ietf:params:oauth:token-type:jwt',
        LAKEGATE_NAMESPACE: 'java_carol',
        LAKEGATE_REFRESH_WAIT_MS: WAIT_MS,
      },
      short,
    );
    expect(run.lines, run.stderr).toEqual(['ok initialize', ...steps('java_carol'), 'ok list-namespaces-after-refresh', 'ok engine-list-namespaces']);
    const events = await refreshes('user:carol');
    expect(events.some((e) => e.detail.authenticated === 'client-credentials' && e.detail.newSession === true)).toBe(true);
  });

  it('f) a session of a user an IdP vouched for ends with it: the engine must exchange a fresh user token', async () => {
    const alice = await kc.userToken(KEYCLOAK_USERS.alice.username, KEYCLOAK_USERS.alice.password);
    const run = await runJava(
      'delegated',
      // Past the session's end, plus the 30 s of clock skew a token is still accepted after its exp.
      {
        LAKEGATE_CREDENTIAL: engine.credential,
        LAKEGATE_SUBJECT_TOKEN: alice,
        LAKEGATE_SUBJECT_TOKEN_TYPE: ACCESS_TOKEN_TYPE,
        LAKEGATE_NAMESPACE: 'java_alice_long',
        LAKEGATE_REFRESH_WAIT_MS: String((MAX_SESSION_SECONDS + 45) * 1000),
      },
      short,
    );
    expect(run.lines.slice(0, 9), run.stderr).toEqual(['ok initialize', ...steps('java_alice_long')]);
    const tokenCalls = describeRequests(requestLog(await short.settledOutput()).slice(-25));
    const trail = (await audit(short)).filter((e) => e.actor.startsWith('user:alice')).map((e) => `${e.type} ${JSON.stringify(e.detail)}`);
    expect(run.status, `${run.lines.join('\n')}\n${trail.join('\n')}\n${tokenCalls.join('\n')}`).toBe(3);
    expect(run.lines.at(-1)).toMatch(/^failed org\.apache\.iceberg\.exceptions\.NotAuthorizedException/);
    const denied = (await audit(short)).filter((e) => e.type === 'token.refreshed' && e.actor === 'user:alice' && e.detail.newSession === true);
    expect(denied).toEqual([]);
    expect(await short.settledOutput()).not.toContain(alice);
  });
});
