/**
 * A real LDAP server for a test file (scripts/peers/ldap.sh: UnboundID LDAP SDK's in-memory directory server, its jar
 * from Maven Central, cached), on a free port of 127.0.0.1 only. Its directory is BASE_DN with ou=people and one
 * inetOrgPerson entry uid=NAME for each user, whose userPassword (stored as given: the test's own random passwords)
 * a simple bind checks. userDNPattern is what an LDAP client binds as (uid=%s,ou=people,BASE_DN).
 * log() is its access log so far (a line per request and result: a bind's DN and result code, never its password).
 * stop() stops the server and removes its directory (nothing of it is kept: the data lives in memory).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { peerScript } from './peers.js';
import { freePort, runAsync, tempDir } from './temp.js';

export interface LdapServer {
  /** `ldap://127.0.0.1:PORT`. */
  url: string;
  baseDN: string;
  /** `uid=%s,ou=people,BASE_DN`. */
  userDNPattern: string;
  log(): string;
  stop(): Promise<void>;
}

async function ldap(args: string[]): Promise<string> {
  const result = await runAsync('bash', [peerScript('ldap.sh'), ...args], { env: process.env, timeoutMs: 10 * 60_000 });
  if (result.status !== 0) throw new Error(`ldap.sh ${args[0]} failed (${result.status}):\n${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1)!.trim();
}

/** Fetches the SDK (first time only) and starts a directory holding `users` (uid and password each). */
export async function startLdap(users: { uid: string; password: string }[], baseDN = 'dc=lakegate,dc=test'): Promise<LdapServer> {
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
  ];
  writeFileSync(ldif, `${entries.join('\n\n')}\n`, { mode: 0o600 });
  const serverDir = path.join(dir.dir, 'server');
  let url: string;
  try {
    url = await ldap(['start', serverDir, String(await freePort()), baseDN, ldif]);
  } catch (e) {
    dir.cleanup();
    throw e;
  }
  return {
    url,
    baseDN,
    userDNPattern: `uid=%s,ou=people,${baseDN}`,
    log: () => readFileSync(path.join(serverDir, 'ldap.log'), 'utf8'),
    async stop() {
      await ldap(['stop', serverDir]);
      dir.cleanup();
    },
  };
}
