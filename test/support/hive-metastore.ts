/**
 * A Hive standalone metastore (4.0.1; jars from Maven Central, cached by scripts/peers/hive-metastore.sh) for a test
 * file, on a PostgreSQL cluster of its own (scripts/peers/postgres.sh; the schema made by Hive's own script, so HMS's
 * table locks work): started on free loopback ports, ready once a Thrift call (get_all_databases) answers. stop()
 * stops the metastore only (its database stays), so start() again brings the same metastore back (an outage);
 * destroy() stops both and removes everything. With `{ tls: true }` it serves Thrift inside TLS only
 * (hive.metastore.use.SSL) with a fresh self-signed key made by the JDK's keytool in the test's temporary directory
 * (hive-metastore.sh tls-keystore; never reused, never committed); `caPem` is its certificate, what a client trusts.
 * dropTransactionTables() drops the metastore's transaction and lock tables from its database (HIVE_LOCKS, TXNS, ...,
 * the "Transaction and lock tables" part of Hive's schema script), so that it is a metastore without them, as one on a
 * schema DataNucleus made: its lock, check_lock, unlock and show_locks calls fail, everything else is unchanged.
 * With `{ login: { username, password } }` it takes password logins only (metastore.authentication=CONFIG with that
 * user and password: SASL PLAIN; hive-metastore.sh HMS_AUTH_USER); its own clients (client(), call()) log in.
 * With `{ kerberos: { principal, keytab, krb5Conf } }` it is kerberized (SASL GSSAPI, hive-metastore.sh
 * HMS_KERBEROS_*): its own clients log in with the test process's Kerberos credentials (KRB5_CONFIG and KRB5CCNAME
 * set by the test) towards the principal's service and host.
 * With `{ login, ldap: { url, userDNPattern } }` it checks password logins by a bind to that LDAP server
 * (metastore.authentication=LDAP; test/support/ldap.ts), `login` being what its own clients log in with (also
 * `baseDN` instead of the pattern, a `bind` user that searches for the login, a `groups` filter, and `caPem`, the
 * certificate an ldaps:// URL's server shows, as the metastore JVM's truststore: hive-metastore.sh HMS_LDAP_*; a `bind`
 * with `credentialProvider` puts its password in a Hadoop credential keystore instead of the XML, which
 * setBindPassword() rewrites with no restart: hive-metastore.sh credential); with
 * `{ login, custom: true }` by peers/hive-metastore/PasswordFileAuthenticator.java (metastore.authentication=CUSTOM,
 * compiled by hive-metastore.sh custom-auth into the test's directory). switchAuth() restarts it in another of these.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import postgresClient from 'pg';
import { HmsClient, type HmsTls } from '../../packages/server/src/federation/hive/hms-client.js';
import { gssapiMechanism, loadKerberos } from '../../packages/server/src/federation/hive/sasl-gssapi.js';
import { plainMechanism } from '../../packages/server/src/federation/hive/sasl-transport.js';
import { asStruct, str, struct, type ThriftStruct } from '../../packages/server/src/federation/hive/thrift-values.js';
import { peerScript, startPostgres } from './peers.js';
import { freePort, runAsync, tempDir } from './temp.js';

export interface HiveMetastore {
  /** `thrift://127.0.0.1:PORT`. */
  uri: string;
  port: number;
  /** With tls: the metastore's self-signed certificate (PEM), the CA a client trusts. */
  caPem?: string;
  /** A Thrift client of it (the test's own view of HMS, beside Lakegate's). */
  client(): HmsClient;
  /** One call on a client of its own, closed after. */
  call(method: string, args: Parameters<HmsClient['call']>[1]): ReturnType<HmsClient['call']>;
  /** The table `db`.`name` as HMS holds it (get_table_req's table struct). */
  table(db: string, name: string): Promise<ThriftStruct>;
  /**
   * Runs Iceberg Java's HiveCatalog writer (HMS locks on) against it (peers/iceberg-hive-writer/HiveWriter.java):
   * `append N` answers the appends it acknowledged, `read` the current snapshot's data files and the properties.
   */
  icebergWriter(db: string, table: string, args: string[]): Promise<{ acks: string[]; files: string[]; properties: Record<string, string> }>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** With tls: restarts the metastore on a fresh key (its certificate replaced); answers the new certificate (PEM). */
  renewKey(): Promise<string>;
  /** With login: restarts the metastore taking another password (its own clients log in with it from now on). */
  changePassword(password: string): Promise<void>;
  /** With an LDAP bind user in a credential keystore: replaces the keystore's password (no restart: HMS reads it per login). */
  setBindPassword(password: string): Promise<void>;
  /** Restarts the metastore checking logins another way (CONFIG, LDAP or CUSTOM; its own clients log in as `login`). */
  switchAuth(options: PasswordAuth): Promise<void>;
  /** The metastore's own log (DIR/metastore.log): what it printed so far. */
  log(): string;
  /** Drops the transaction and lock tables from the metastore's database: from now on it cannot lock. */
  dropTransactionTables(): Promise<void>;
  destroy(): Promise<void>;
}

async function hms(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await runAsync('bash', [peerScript('hive-metastore.sh'), ...args], { env: { ...process.env, ...env }, timeoutMs: 20 * 60_000 });
  if (result.status !== 0) throw new Error(`hive-metastore.sh ${args[0]} failed (${result.status}):\n${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1)!.trim();
}

/** Waits until HMS answers a Thrift call (the port opens a moment before the handler serves). */
async function answering(port: number, tls: HmsTls | undefined, sasl: Sasl): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const client = new HmsClient('127.0.0.1', port, 5000, tls, sasl);
    try {
      await client.call('get_all_databases', []);
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`the Hive metastore on port ${port} does not answer: ${(e as Error).message}`);
    } finally {
      client.close();
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A fresh self-signed key and certificate in DIR (hive-metastore.sh tls-keystore): the keystore's path and the PEM. */
export async function makeKeystore(dir: string, name: string): Promise<{ keystore: string; pem: string }> {
  const pemPath = await hms(['tls-keystore', dir, name]);
  return { keystore: pemPath.replace(/\.pem$/, '.p12'), pem: readFileSync(pemPath, 'utf8') };
}

/** The "Transaction and lock tables" of hive-schema-4.0.0.postgres.sql (HMS's TxnHandler, behind every lock call). */
const TRANSACTION_TABLES = [
  'TXNS',
  'TXN_COMPONENTS',
  'COMPLETED_TXN_COMPONENTS',
  'TXN_LOCK_TBL',
  'HIVE_LOCKS',
  'NEXT_LOCK_ID',
  'COMPACTION_QUEUE',
  'NEXT_COMPACTION_QUEUE_ID',
  'COMPLETED_COMPACTIONS',
  'COMPACTION_METRICS_CACHE',
  'AUX_TABLE',
  'WRITE_SET',
  'TXN_TO_WRITE_ID',
  'NEXT_WRITE_ID',
  'MIN_HISTORY_WRITE_ID',
  'MIN_HISTORY_LEVEL',
  'MATERIALIZATION_REBUILD_LOCKS',
  'REPL_TXN_MAP',
  'TXN_WRITE_NOTIFICATION_LOG',
];

type Sasl = ConstructorParameters<typeof HmsClient>[4];

/** How a metastore that takes password logins checks them: CONFIG (the default), LDAP or CUSTOM. */
export interface PasswordAuth {
  login: { username: string; password: string };
  ldap?: {
    url: string;
    userDNPattern?: string;
    baseDN?: string;
    /** With `credentialProvider`, the password is in a Hadoop credential keystore (hive-metastore.sh credential), not the XML. */
    bind?: { dn: string; password: string; credentialProvider?: boolean };
    groups?: { filter: string; dnPattern: string; membershipKey?: string; classKey?: string };
    caPem?: string;
  };
  custom?: boolean;
}

/** The bind password as a Hadoop credential keystore, DIR/ldap-bind.jceks (replaced whole: read again at every login). */
async function bindCredential(dir: string, password: string): Promise<string> {
  const file = path.join(dir, 'ldap-bind-password');
  writeFileSync(file, password, { mode: 0o600 });
  return hms(['credential', path.join(dir, 'ldap-bind.jceks'), 'metastore.authentication.ldap.bindpw', file]);
}

/** hive-metastore.sh's HMS_LDAP_* for these settings; the bind password and the certificate go into files in `dir`. */
async function ldapEnv(ldap: NonNullable<PasswordAuth['ldap']>, dir: string): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { HMS_AUTH_MODE: 'LDAP', HMS_LDAP_URL: ldap.url };
  const set = (name: string, value: string | undefined) => value !== undefined && (env[name] = value);
  set('HMS_LDAP_USER_DN_PATTERN', ldap.userDNPattern);
  set('HMS_LDAP_BASE_DN', ldap.baseDN);
  if (ldap.bind?.credentialProvider) {
    env.HMS_LDAP_BIND_DN = ldap.bind.dn;
    env.HMS_LDAP_BIND_CREDENTIAL_PROVIDER = await bindCredential(dir, ldap.bind.password);
  } else if (ldap.bind) {
    const file = path.join(dir, 'ldap-bind-password');
    writeFileSync(file, ldap.bind.password, { mode: 0o600 });
    Object.assign(env, { HMS_LDAP_BIND_DN: ldap.bind.dn, HMS_LDAP_BIND_PASSWORD_FILE: file });
  }
  set('HMS_LDAP_GROUP_FILTER', ldap.groups?.filter);
  set('HMS_LDAP_GROUP_DN_PATTERN', ldap.groups?.dnPattern);
  set('HMS_LDAP_GROUP_MEMBERSHIP_KEY', ldap.groups?.membershipKey);
  set('HMS_LDAP_GROUP_CLASS_KEY', ldap.groups?.classKey);
  if (ldap.caPem) {
    const file = path.join(dir, 'ldap-ca.pem');
    writeFileSync(file, ldap.caPem);
    env.HMS_LDAP_CA_PEM = file;
  }
  return env;
}

/** Fetches the jars (first time only) and starts a metastore (inside TLS with `tls`, taking password logins with `login`). */
export async function startHiveMetastore(
  options: {
    tls?: boolean;
    login?: { username: string; password: string };
    ldap?: PasswordAuth['ldap'];
    custom?: boolean;
    kerberos?: { principal: string; keytab: string; krb5Conf: string };
  } = {},
): Promise<HiveMetastore> {
  const dir = tempDir('lakegate-hms-');
  const serverDir = path.join(dir.dir, 'server');
  const login = options.login && { ...options.login };
  const krb = options.kerberos;
  const [service, host] = (krb?.principal ?? '/').split('@')[0]!.split('/') as [string, string];
  const sasl: Sasl = login ? () => plainMechanism(login.username, login.password) : krb && (() => gssapiMechanism(loadKerberos, service, host));
  const passwordFile = path.join(dir.dir, 'hms-password');
  let env: NodeJS.ProcessEnv = {};
  const passwordEnv = async (auth: Omit<PasswordAuth, 'login'>): Promise<NodeJS.ProcessEnv> => {
    if (auth.ldap) return ldapEnv(auth.ldap, dir.dir);
    const user = { HMS_AUTH_USER: login!.username, HMS_AUTH_PASSWORD_FILE: passwordFile };
    if (!auth.custom) return user;
    const classes = await hms(['custom-auth', path.join(dir.dir, 'custom-auth')]);
    return { ...user, HMS_AUTH_MODE: 'CUSTOM', HMS_CUSTOM_AUTH_CLASSPATH: classes };
  };
  if (login) {
    writeFileSync(passwordFile, login.password, { mode: 0o600 });
    env = await passwordEnv(options);
  }
  if (krb) env = { HMS_KERBEROS_PRINCIPAL: krb.principal, HMS_KERBEROS_KEYTAB: krb.keytab, HMS_KRB5_CONF: krb.krb5Conf };
  let key = options.tls ? await makeKeystore(path.join(dir.dir, 'tls'), 'metastore') : undefined;
  const tls: HmsTls | undefined = key && { ca: key.pem };
  const pg = startPostgres(path.join(dir.dir, 'postgres'), await freePort());
  const database = pg.createDatabase('hive_metastore');
  const port = await freePort();
  const start = async () => {
    await hms(['start', serverDir, String(port), database, ...(key ? [key.keystore] : [])], env);
    await answering(port, tls, sasl);
  };
  try {
    await start();
  } catch (e) {
    pg.stop();
    throw e;
  }
  return {
    uri: `thrift://127.0.0.1:${port}`,
    port,
    ...(key ? { caPem: key.pem } : {}),
    client: () => new HmsClient('127.0.0.1', port, 10_000, tls, sasl),
    async call(method, args) {
      const client = new HmsClient('127.0.0.1', port, 10_000, tls, sasl);
      try {
        return await client.call(method, args);
      } finally {
        client.close();
      }
    },
    async table(this: HiveMetastore, db, name) {
      const request = struct([
        [1, str(db)],
        [2, str(name)],
      ]);
      return asStruct(asStruct(await this.call('get_table_req', [[1, request]]))?.get(1))!;
    },
    async icebergWriter(db, table, args) {
      const run = await runAsync('bash', [peerScript('hive-metastore.sh'), 'writer', `thrift://127.0.0.1:${port}`, db, table, ...args], {
        env: process.env,
        timeoutMs: 10 * 60_000,
      });
      if (run.status !== 0) throw new Error(`Iceberg's HiveCatalog writer failed (${run.status}):\n${run.stderr.slice(-3000)}`);
      const lines = run.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { ack?: string; files?: string[]; properties?: Record<string, string> });
      return {
        acks: lines.flatMap((l) => (l.ack === undefined ? [] : [l.ack])),
        files: lines.flatMap((l) => l.files ?? []),
        properties: Object.assign({}, ...lines.map((l) => l.properties ?? {})) as Record<string, string>,
      };
    },
    stop: async () => void (await hms(['stop', serverDir])),
    start,
    async renewKey() {
      if (!key || !tls) throw new Error('renewKey: this metastore does not serve TLS');
      await hms(['stop', serverDir]);
      key = await makeKeystore(path.join(dir.dir, 'tls'), 'metastore');
      tls.ca = key.pem;
      await start();
      return key.pem;
    },
    async changePassword(password) {
      if (!login) throw new Error('changePassword: this metastore takes no password logins');
      await hms(['stop', serverDir]);
      writeFileSync(passwordFile, password, { mode: 0o600 });
      login.password = password;
      await start();
    },
    async setBindPassword(password) {
      if (env.HMS_LDAP_BIND_CREDENTIAL_PROVIDER === undefined) throw new Error('setBindPassword: no bind password in a credential keystore');
      await bindCredential(dir.dir, password);
    },
    async switchAuth(auth) {
      if (!login) throw new Error('switchAuth: this metastore takes no password logins');
      await hms(['stop', serverDir]);
      Object.assign(login, auth.login);
      writeFileSync(passwordFile, login.password, { mode: 0o600 });
      env = await passwordEnv(auth);
      await start();
    },
    log: () => readFileSync(path.join(serverDir, 'metastore.log'), 'utf8'),
    async dropTransactionTables() {
      const db = new postgresClient.Client({ connectionString: database });
      await db.connect();
      try {
        await db.query(`DROP TABLE IF EXISTS ${TRANSACTION_TABLES.map((t) => `"${t}"`).join(', ')} CASCADE`);
      } finally {
        await db.end();
      }
    },
    async destroy() {
      await hms(['stop', serverDir]);
      pg.stop();
      dir.cleanup();
    },
  };
}
