/**
 * An MIT Kerberos KDC for a test file (scripts/peers/kdc.sh: Debian's krb5-kdc, installed when missing): its own realm,
 * krb5.conf and database in a temporary directory, on a free loopback port (TCP). keytab() makes a principal with a
 * random key and exports it; kinit() puts a ticket from a keytab into a ticket cache; stop() stops it, cleanup removes
 * the directory.
 */
import path from 'node:path';
import { peerScript } from './peers.js';
import { freePort, runAsync, tempDir } from './temp.js';

export interface Kdc {
  realm: string;
  /** The realm's krb5.conf: a client's KRB5_CONFIG, a JVM's java.security.krb5.conf. */
  krb5Conf: string;
  /** A directory of the test's for keytabs and ticket caches (removed with the KDC). */
  dir: string;
  keytab(principal: string, file: string): Promise<void>;
  kinit(principal: string, keytab: string, ccache: string): Promise<void>;
  stop(): Promise<void>;
}

async function kdc(args: string[]): Promise<string> {
  const result = await runAsync('bash', [peerScript('kdc.sh'), ...args], { env: process.env, timeoutMs: 10 * 60_000 });
  if (result.status !== 0) throw new Error(`kdc.sh ${args[0]} failed (${result.status}):\n${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1)!.trim();
}

export async function startKdc(realm = 'LAKEGATE.TEST'): Promise<Kdc> {
  const dir = tempDir('lakegate-kdc-');
  const realmDir = path.join(dir.dir, 'realm');
  const krb5Conf = await kdc(['start', realmDir, String(await freePort()), realm]);
  return {
    realm,
    krb5Conf,
    dir: dir.dir,
    keytab: async (principal, file) => void (await kdc(['keytab', realmDir, principal, file])),
    kinit: async (principal, keytab, ccache) => void (await kdc(['kinit', realmDir, principal, keytab, ccache])),
    async stop() {
      await kdc(['stop', realmDir]);
      dir.cleanup();
    },
  };
}
