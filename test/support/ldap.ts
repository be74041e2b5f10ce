/**
 * A real LDAP server for a test file (scripts/peers/ldap.sh: UnboundID LDAP SDK's in-memory directory server, its jar
 * from Maven Central, cached), on a free port of 127.0.0.1 only. Its directory is BASE_DN with ou=people and one
 * inetOrgPerson entry uid=NAME for each user, whose userPassword (stored as given: the test's own random passwords)
 * a simple bind checks. userDNPattern is what an LDAP client binds as (uid=%s,ou=people,BASE_DN).
 * Options: `groups` (name -> member uids): groupOfUniqueNames entries cn=NAME,ou=groups,BASE_DN whose uniqueMember
 * attributes are the members' DNs (not groupOfNames/member, the LDAP clients' defaults, so a client must be told);
 * `services` (cn and password): simpleSecurityObject entries cn=NAME,ou=services,BASE_DN a client may bind as to search
 * (`bindDN(cn)`); `tls`: the directory also serves LDAP inside TLS on a second port (`ldapsUrl`, ldaps://127.0.0.1:PORT)
 * with a fresh self-signed key and certificate made by the JDK's keytool in the test's temporary directory
 * (hive-metastore.sh tls-keystore; CN=localhost, SAN ip:127.0.0.1); `caPem` is that certificate, what a client trusts.
 * renewKey() restarts it (tls only) on the same ports with a fresh key: a certificate its clients were not told of.
 * log() is its access log so far (across restarts) (a line per request and result: a bind's DN and result code, never its password).
 * stop() stops the server and removes its directory (nothing of it is kept: the data lives in memory).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeKeystore } from './hive-metastore.js';
import { peerScript } from './peers.js';
import { freePort, runAsync, tempDir } from './temp.js';

export interface LdapServer {
  /** `ldap://127.0.0.1:PORT`. */
  url: string;
  baseDN: string;
  /** `uid=%s,ou=people,BASE_DN`. */
  userDNPattern: string;
  /** With tls: `ldaps://127.0.0.1:PORT` and the server's certificate (PEM). */
  ldapsUrl?: string;
  caPem?: string;
  /** The DN of a service entry (`cn=NAME,ou=services,BASE_DN`). */
  bindDN(cn: string): string;
  log(): string;
  /** With tls: restarts the directory on the same ports with a fresh key and certificate; answers the new PEM. */
  renewKey(): Promise<string>;
  stop(): Promise<void>;
}

async function ldap(args: string[]): Promise<string> {
  const result = await runAsync('bash', [peerScript('ldap.sh'), ...args], { env: process.env, timeoutMs: 10 * 60_000 });
  if (result.status !== 0) throw new Error(`ldap.sh ${args[0]} failed (${result.status}):\n${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1)!.trim();
}

export interface LdapOptions {
  baseDN?: string;
  groups?: Record<string, string[]>;
  services?: { cn: string; password: string }[];
  tls?: boolean;
}

/** Fetches the SDK (first time only) and starts a directory holding `users` (uid and password each). */
export async function startLdap(users: { uid: string; password: string }[], options: LdapOptions = {}): Promise<LdapServer> {
  const { baseDN = 'dc=lakegate,dc=test', groups = {}, services = [] } = options;
  const dir = tempDir('lakegate-ldap-');
  const ldif = path.join(dir.dir, 'directory.ldif');
  const top = baseDN.split(',')[0]!.split('=')[1]!;
  const entries = [
    `dn: ${baseDN}\nobjectClass: top\nobjectClass: domain\ndc: ${top}`,
    `dn: ou=people,${baseDN}\nobjectClass: top\nobjectClass: organizationalUnit\nou: people`,
    ...users.map(
      (u) =>
        `dn: uid=${u.uid},ou=people,${baseDN}\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n` +
        `objectClass: inetOrgPerson\nuid: ${u.uid}\ncn: ${u.uid}\nsn: ${u.uid}\nuserPassword: ${u.password}`,
    ),
    ...(Object.keys(groups).length ? [`dn: ou=groups,${baseDN}\nobjectClass: top\nobjectClass: organizationalUnit\nou: groups`] : []),
    ...Object.entries(groups).map(
      ([cn, uids]) =>
        `dn: cn=${cn},ou=groups,${baseDN}\nobjectClass: top\nobjectClass: groupOfUniqueNames\ncn: ${cn}\n` +
        uids.map((uid) => `uniqueMember: uid=${uid},ou=people,${baseDN}`).join('\n'),
    ),
    ...(services.length ? [`dn: ou=services,${baseDN}\nobjectClass: top\nobjectClass: organizationalUnit\nou: services`] : []),
    ...services.map(
      (s) =>
        `dn: cn=${s.cn},ou=services,${baseDN}\nobjectClass: top\nobjectClass: applicationProcess\nobjectClass: simpleSecurityObject\ncn: ${s.cn}\nuserPassword: ${s.password}`,
    ),
  ];
  writeFileSync(ldif, `${entries.join('\n\n')}\n`, { mode: 0o600 });
  const serverDir = path.join(dir.dir, 'server');
  let url: string;
  let tls: { url: string; pem: string } | undefined;
  const port = String(await freePort());
  const ldapsPort = String(await freePort());
  const startTls = async () => {
    const key = await makeKeystore(path.join(dir.dir, 'tls'), 'ldap');
    await ldap(['start', serverDir, port, baseDN, ldif, key.keystore, ldapsPort]);
    return key.pem;
  };
  /** The access log of the directory's earlier runs (a start writes the log anew). */
  let earlier = '';
  const log = () => earlier + readFileSync(path.join(serverDir, 'ldap.log'), 'utf8');
  try {
    if (options.tls) {
      const pem = await startTls();
      url = `ldap://127.0.0.1:${port}`;
      tls = { url: `ldaps://127.0.0.1:${ldapsPort}`, pem };
    } else {
      url = await ldap(['start', serverDir, port, baseDN, ldif]);
    }
  } catch (e) {
    dir.cleanup();
    throw e;
  }
  return {
    url,
    baseDN,
    userDNPattern: `uid=%s,ou=people,${baseDN}`,
    ...(tls ? { ldapsUrl: tls.url, caPem: tls.pem } : {}),
    bindDN: (cn) => `cn=${cn},ou=services,${baseDN}`,
    log,
    async renewKey() {
      if (!tls) throw new Error('renewKey: this directory serves no TLS');
      await ldap(['stop', serverDir]);
      earlier = log();
      tls.pem = await startTls();
      return tls.pem;
    },
    async stop() {
      await ldap(['stop', serverDir]);
      dir.cleanup();
    },
  };
}
