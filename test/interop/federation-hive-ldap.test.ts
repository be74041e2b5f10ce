/**
 * Federation (issue 57) to a Hive Metastore whose password logins are checked by LDAP: Hive's standalone metastore
 * 4.0.1 with metastore.authentication=LDAP (metastore.authentication.ldap.url and .userDNPattern), binding to a real
 * LDAP server (UnboundID LDAP SDK's in-memory directory, scripts/peers/ldap.sh, on 127.0.0.1) as the login's DN; the
 * same SASL PLAIN exchange as CONFIG (federation-hive-password.test.ts), a different check behind it. Then the same
 * metastore restarted with metastore.authentication=CUSTOM (peers/hive-metastore/PasswordFileAuthenticator.java, a
 * provider class compiled with javac onto its classpath). One metastore and one LDAP server for the whole file.
 * Proves, for each: a warehouse with the user's sealed password lists namespaces and tables and creates, commits and
 * loads a table through Lakegate's Iceberg REST API; a wrong password and a user the directory does not hold are refused
 * by the connection test with a 400 in the Iceberg error model that says why; no password in any answer, Lakegate's
 * log or the metastore's log.
 * Between the two, the same metastore restarted twice more with the LDAP provider's other settings (HMS 4.0.1's
 * MetastoreConf names): metastore.authentication.ldap.baseDN without a userDNPattern plus a group filter (.groupFilter,
 * .groupDNPattern, .groupMembershipKey=uniqueMember, .groupClassKey=groupOfUniqueNames: a directory user with the right
 * password who is not in the group is refused); then a bind user (.binddn, .bindpw) that searches the login's DN under
 * the base DN, the directory reached over ldaps:// (a fresh self-signed certificate from the JDK's keytool, trusted by
 * the metastore JVM's javax.net.ssl.trustStore), the bind password in a Hadoop credential keystore
 * (hadoop.security.credential.provider.path, made by Hadoop's `credential create`; none in metastore-site.xml).
 * Then, with no restart of the metastore, its two failures Lakegate cannot tell apart from a wrong login (HMS answers
 * each with "Error validating the login"): a wrong bind password (the keystore rewritten: HMS reads it at every login)
 * and a directory whose certificate it does not trust (the LDAP server restarted on a fresh key): a 502 at the
 * federated warehouse's calls, a failed status check and a 400 at creation, each naming the metastore's own check.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { tableParameters } from '../../packages/server/src/federation/hive/hive-structs.js';
import { startHiveMetastore, type HiveMetastore } from '../support/hive-metastore.js';
import { appendUpdates, httpSender, simpleSchema, type Send } from '../support/iceberg-http.js';
import { startLdap, type LdapServer } from '../support/ldap.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const password = () => `pw-${randomBytes(12).toString('hex')}`;
const alice = { uid: 'alice', password: password() };
const carol = { uid: 'carol', password: password() };
const custom = { username: 'lakegate', password: password() };
const wrong = password();
const bindPassword = password();
const wrongBind = password();
const secrets = [alice.password, carol.password, custom.password, wrong, bindPassword, wrongBind];

let ldap: LdapServer;
let metastore: HiveMetastore;
let server: ServerProcess;
let send: Send;
let root = '';

beforeAll(async () => {
  ldap = await startLdap([alice, carol], {
    groups: { lakehouse: ['alice'], auditors: ['carol'] },
    services: [{ cn: 'metastore', password: bindPassword }],
    tls: true,
  });
  metastore = await startHiveMetastore({
    login: { username: alice.uid, password: alice.password },
    ldap: { url: ldap.url, userDNPattern: ldap.userDNPattern },
  });
  server = await startServer();
  send = httpSender(server.url, await server.token());
  root = `file://${server.dataDir}/hive-ldap-warehouse`;
}, 20 * 60_000);

afterAll(async () => {
  await server?.stop();
  await metastore?.destroy();
  await ldap?.stop();
}, 60_000);

const warehouse = (name: string, username: string, secret: string) => ({
  name,
  'storage-root': `${root}-${name}`,
  'storage-profile': { type: 'file' },
  federation: { kind: 'hive', uri: metastore.uri, 'timeout-ms': 15000, auth: 'password', username },
  'federation-secret': { password: secret },
});

function neverShown(text: string): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
}

/** The connection test refuses the login: a 400 in the Iceberg error model, saying why, echoing no password. */
async function refused(name: string, username: string, secret: string): Promise<string> {
  const answer = await send('POST', '/management/v1/warehouses', warehouse(name, username, secret));
  expect(answer.status, JSON.stringify(answer.body)).toBe(400);
  expect(answer.body.error).toMatchObject({ code: 400, type: expect.any(String), message: expect.any(String) });
  for (const reason of ['did not pass the connection test', "refused Lakegate's PLAIN login", 'federation-secret.password']) {
    expect(answer.body.error.message).toContain(reason);
  }
  expect(JSON.stringify(answer.body)).not.toMatch(/\bat .*\.(js|java):\d+/);
  neverShown(JSON.stringify(answer.body));
  expect((await send('GET', `/management/v1/warehouses/${name}`)).status).toBe(404);
  return answer.body.error.message as string;
}

/** A warehouse with a good login: namespaces, a table created, committed, listed and loaded back (HMS holds the pointer). */
async function serves(name: string, username: string, secret: string, db: string, table: string): Promise<void> {
  const created = await send('POST', '/management/v1/warehouses', warehouse(name, username, secret));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.federation).toMatchObject({ kind: 'hive', auth: 'password', username, 'has-secret': true });
  neverShown(JSON.stringify(created.body));
  const ns = await send('POST', `/v1/${name}/namespaces`, { namespace: [db] });
  expect([200, 409], JSON.stringify(ns.body)).toContain(ns.status);
  expect((await send('GET', `/v1/${name}/namespaces`)).body.namespaces).toContainEqual([db]);
  const made = await send('POST', `/v1/${name}/namespaces/${db}/tables`, { name: table, schema: simpleSchema });
  expect(made.status, stringifyJson(made.body)).toBe(200);
  const append = appendUpdates(made.body.metadata);
  const committed = await send('POST', `/v1/${name}/namespaces/${db}/tables/${table}`, {
    requirements: [{ type: 'assert-table-uuid', uuid: made.body.metadata['table-uuid'] }],
    updates: append.updates,
  });
  expect(committed.status, stringifyJson(committed.body)).toBe(200);
  expect(tableParameters(await metastore.table(db, table)).metadata_location).toBe(committed.body['metadata-location']);
  const listed = await send('GET', `/v1/${name}/namespaces/${db}/tables`);
  expect(listed.status, stringifyJson(listed.body)).toBe(200);
  expect(listed.body.identifiers).toContainEqual({ namespace: [db], name: table });
  const loaded = await send('GET', `/v1/${name}/namespaces/${db}/tables/${table}`);
  expect(loaded.status, stringifyJson(loaded.body)).toBe(200);
  expect(loaded.body['metadata-location']).toBe(committed.body['metadata-location']);
  expect(loaded.body.metadata['current-snapshot-id']).toBe(append.snapshotId);
}

describe('a federated warehouse on a Hive Metastore checking password logins with LDAP (metastore.authentication=LDAP)', () => {
  it("refuses a wrong password and a user the directory does not hold, with the metastore's reason", async () => {
    const wrongPassword = await refused('hive-ldap-refused', alice.uid, wrong);
    const unknownUser = await refused('hive-ldap-refused', 'mallory', alice.password);
    // Both are the metastore's LDAP provider refusing the bind (HMS says no more than that to the client).
    expect(wrongPassword).toContain('Error validating the login');
    expect(unknownUser).toContain('Error validating the login');
    // Another user's password is no key to alice's login either.
    await refused('hive-ldap-refused', alice.uid, carol.password);
    // The LDAP server itself saw the metastore bind as each login's DN and refused it (result 49, invalid credentials).
    const binds = ldap.log();
    expect(binds).toMatch(/BIND RESULT .*resultCode=49 .*uid=alice,ou=people,dc=lakegate,dc=test' because the provided password was incorrect/);
    expect(binds).toMatch(/BIND RESULT .*resultCode=49 .*uid=mallory,ou=people,dc=lakegate,dc=test' because no such entry exists/);
  });

  it("with the LDAP user's sealed password, lists, creates, commits and loads through the Iceberg REST API", async () => {
    await serves('hive-ldap', alice.uid, alice.password, 'ldapdb', 't');
    // A second directory user logs in too (the metastore binds as each login's own DN).
    await serves('hive-ldap-carol', carol.uid, carol.password, 'ldapdb', 'by_carol');
    // The LDAP server saw a successful simple bind as each user's DN.
    const binds = ldap.log().split('\n');
    for (const uid of ['alice', 'carol']) {
      const ops = binds.flatMap((l) =>
        l.includes(`dn="uid=${uid},ou=people,dc=lakegate,dc=test"`) ? (/BIND REQUEST (conn=\d+ op=\d+) /.exec(l)?.[1] ?? []) : [],
      );
      expect(
        binds.some((l) => ops.some((op) => l.includes(`BIND RESULT ${op} `)) && l.includes('resultCode=0 ')),
        uid,
      ).toBe(true);
    }
  });

  it('shows no password in the metastore log, the LDAP access log or Lakegate', async () => {
    neverShown(ldap.log());
    neverShown(metastore.log());
    neverShown(server.output() + server.errorOutput());
  });
});

/** The LDAP access log's lines from `from` (a length of an earlier log) on. */
const ldapLogSince = (from: number) => ldap.log().slice(from).split('\n');

/** Whether the directory answered a bind as `dn` with `resultCode` (its request and result lines share conn and op). */
function bound(lines: string[], dn: string, resultCode: number): boolean {
  const ops = lines.flatMap((l) => (l.includes(`dn="${dn}"`) ? (/BIND REQUEST (conn=\d+ op=\d+) /.exec(l)?.[1] ?? []) : []));
  return lines.some((l) => ops.some((op) => l.includes(`BIND RESULT ${op} `)) && l.includes(`resultCode=${resultCode} `));
}

describe('the same metastore finding users under metastore.authentication.ldap.baseDN, with a group filter', () => {
  let mark = 0;
  beforeAll(async () => {
    await metastore.switchAuth({
      login: { username: alice.uid, password: alice.password },
      ldap: {
        url: ldap.url,
        baseDN: `ou=people,${ldap.baseDN}`,
        groups: { filter: 'lakehouse', dnPattern: `cn=%s,ou=groups,${ldap.baseDN}`, membershipKey: 'uniqueMember', classKey: 'groupOfUniqueNames' },
      },
    });
    mark = ldap.log().length;
  }, 10 * 60_000);

  it("refuses a directory user with the right password who is not in the group, and a wrong password; serves the group's member", async () => {
    await refused('hive-ldap-group-refused', carol.uid, carol.password);
    await refused('hive-ldap-group-refused', alice.uid, wrong);
    const lines = ldapLogSince(mark);
    // carol's password was right (the bind as uid=carol under the base DN succeeded): the group filter refused her,
    // after a search of the groups under the pattern's base by the configured class and membership attribute.
    expect(bound(lines, `uid=carol,ou=people,${ldap.baseDN}`, 0)).toBe(true);
    expect(lines.join('\n')).toMatch(
      new RegExp(
        `SEARCH REQUEST .*base="ou=groups,${ldap.baseDN}" .*filter="\\(&\\(objectClass=groupOfUniqueNames\\)\\(\\|\\(uniqueMember=uid=carol,ou=people,${ldap.baseDN}\\)`,
      ),
    );
    await serves('hive-ldap-group', alice.uid, alice.password, 'ldapdb', 'by_group_member');
  });
});

describe('the same metastore with a bind user searching the login under the base DN, over ldaps://', () => {
  let mark = 0;
  beforeAll(async () => {
    mark = ldap.log().length;
    await metastore.switchAuth({
      login: { username: alice.uid, password: alice.password },
      ldap: {
        url: ldap.ldapsUrl!,
        baseDN: ldap.baseDN,
        bind: { dn: ldap.bindDN('metastore'), password: bindPassword, credentialProvider: true },
        caPem: ldap.caPem!,
      },
    });
  }, 10 * 60_000);

  it('binds as the bind user, searches the login, binds as the DN found; refuses a wrong password and an unknown user', async () => {
    await serves('hive-ldaps', carol.uid, carol.password, 'ldapdb', 'by_search');
    await refused('hive-ldaps-refused', carol.uid, wrong);
    await refused('hive-ldaps-refused', 'mallory', carol.password);
    const lines = ldapLogSince(mark);
    const ldapsPort = new URL(ldap.ldapsUrl!).port;
    // Every connection of this metastore came to the directory's TLS listener.
    const connects = lines.filter((l) => /\] CONNECT conn=/.test(l));
    expect(connects.length).toBeGreaterThan(0);
    for (const l of connects) expect(l).toContain(`to="127.0.0.1:${ldapsPort}"`);
    expect(bound(lines, ldap.bindDN('metastore'), 0)).toBe(true);
    // users sit one level below the base DN: uid=carol,BASE_DN is no entry, the subtree search found hers.
    expect(lines.join('\n')).toMatch(new RegExp(`SEARCH REQUEST .*base="${ldap.baseDN}" scope=2 .*filter="\\(uid=carol\\)"`));
    expect(bound(lines, `uid=carol,ou=people,${ldap.baseDN}`, 0)).toBe(true);
    expect(bound(lines, `uid=carol,ou=people,${ldap.baseDN}`, 49)).toBe(true);
  });

  it('shows neither the bind password nor a login password in the metastore log, the LDAP access log or Lakegate', async () => {
    neverShown(ldap.log());
    neverShown(metastore.log());
    neverShown(server.output() + server.errorOutput());
  });
});

/** A federated warehouse's calls while the metastore's own LDAP check fails: 502s naming it, and a failed status check. */
async function metastoreCheckFails(name: string): Promise<void> {
  for (const path of [`/v1/${name}/namespaces`, `/v1/${name}/namespaces/ldapdb/tables/by_search`]) {
    const answer = await send('GET', path);
    expect(answer.status, JSON.stringify(answer.body)).toBe(502);
    expect(answer.body.error).toMatchObject({ code: 502, type: expect.any(String) });
    for (const reason of ["did not accept Lakegate's login", 'Error validating the login', "the metastore's own check failed", '.bindpw']) {
      expect(answer.body.error.message).toContain(reason);
    }
    expect(JSON.stringify(answer.body)).not.toMatch(/\bat .*\.(js|java):\d+/);
    neverShown(JSON.stringify(answer.body));
  }
  const status = await send('GET', `/management/v1/warehouses/${name}/federation/status`);
  expect(status.status, JSON.stringify(status.body)).toBe(200);
  expect(status.body.ok).toBe(false);
  expect(status.body.error).toMatchObject({ code: 502, type: 'BadGatewayException' });
  expect(status.body.error.message).toContain("the metastore's own check failed");
  neverShown(JSON.stringify(status.body));
  // The connection test at creation: a 400 as for a wrong login (refused() checks it), with the same hint.
  expect(await refused(`${name}-again`, carol.uid, carol.password)).toContain("its trust in the LDAP server's certificate");
}

describe("the same metastore's own LDAP check failing: a wrong bind password, a directory certificate it does not trust", () => {
  beforeAll(async () => {
    // Made while all is well (the connection test passes); no call through them until the failure.
    for (const name of ['hive-ldaps-bindpw', 'hive-ldaps-untrusted']) {
      const created = await send('POST', '/management/v1/warehouses', warehouse(name, carol.uid, carol.password));
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
  }, 60_000);

  it('a wrong bind password in the credential keystore: 502s and a failed check, then well again once it is right, no restart', async () => {
    await metastore.setBindPassword(wrongBind);
    const mark = ldap.log().length;
    await metastoreCheckFails('hive-ldaps-bindpw');
    // The directory refused the metastore's bind user (49); carol's own bind never came.
    const lines = ldapLogSince(mark);
    expect(bound(lines, ldap.bindDN('metastore'), 49)).toBe(true);
    expect(lines.join('\n')).not.toContain(`dn="uid=carol,ou=people,${ldap.baseDN}"`);
    // The metastore's log says which: the directory's refusal of its bind (49), not of carol's password.
    expect(metastore.log()).toMatch(/error code 49/);
    await metastore.setBindPassword(bindPassword);
    expect((await send('GET', '/management/v1/warehouses/hive-ldaps-bindpw/federation/status')).body.ok).toBe(true);
    expect((await send('GET', '/v1/hive-ldaps-bindpw/namespaces')).body.namespaces).toContainEqual(['ldapdb']);
  });

  it('a directory whose certificate the metastore does not trust (its key renewed): 502s and a failed check', async () => {
    await ldap.renewKey();
    const mark = ldap.log().length;
    await metastoreCheckFails('hive-ldaps-untrusted');
    // The metastore reached the TLS port and left in the handshake: no bind, no search.
    const lines = ldapLogSince(mark);
    expect(lines.some((l) => /\] CONNECT conn=/.test(l))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/BIND REQUEST|SEARCH REQUEST/);
    expect(metastore.log()).toMatch(/PKIX|certification path|SSLHandshakeException/);
    neverShown(ldap.log());
    neverShown(metastore.log());
    neverShown(server.output() + server.errorOutput());
  });
});

describe('the same metastore with a CUSTOM provider (metastore.authentication=CUSTOM, a class on its classpath)', () => {
  beforeAll(async () => {
    await metastore.switchAuth({ login: custom, custom: true });
  }, 10 * 60_000);

  it("refuses the LDAP login it no longer checks with a 502 naming the settings, and the CUSTOM provider's wrong logins with a 400", async () => {
    const stale = await send('GET', '/v1/hive-ldap/namespaces/ldapdb/tables/t');
    expect(stale.status, JSON.stringify(stale.body)).toBe(502);
    expect(stale.body.error.message).toContain("did not accept Lakegate's login");
    neverShown(JSON.stringify(stale.body));
    expect(await refused('hive-custom-refused', custom.username, wrong)).toContain('Error validating the login');
    expect(await refused('hive-custom-refused', 'mallory', custom.password)).toContain('Error validating the login');
  });

  it("with the provider's user and password, lists, creates, commits and loads; no password shown anywhere", async () => {
    await serves('hive-custom', custom.username, custom.password, 'ldapdb', 'by_custom');
    neverShown(metastore.log());
    neverShown(server.output() + server.errorOutput());
  });
});
