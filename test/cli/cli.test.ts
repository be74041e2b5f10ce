/**
 * The `lakegate` CLI as users run it: the built bin (`node packages/cli/bin/lakegate.js`, built by
 * `tsc -b packages/cli`, which scripts/test.sh runs first) against a real server process with authentication on.
 * Storage credentials come from an Azure warehouse on Azurite, because a local-file warehouse vends none. The server
 * verifies SigV4 for a non-default signing name and region, so the CLI's signing flags have to reach the signer.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { IcebergRestCatalog, LakegateManagement } from '@lakegate/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { type CliRun as Run, runCli } from '../support/cli.js';
import { createPrincipal, grantTo, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { freePort, tempDir } from '../support/temp.js';
import { tampered } from '../support/tamper.js';

/** Each test runs the CLI several times, each a fresh Node process; the machine is shared. */
const SLOW = 120_000;
const SIGV4_REGION = 'eu-central-1';
const SIGV4_SIGNING_NAME = 'lakegate-catalog';

let server: ServerProcess;
let config: { dir: string; cleanup: () => void };
let adminId: string;
let adminSecret: string;

const lakegate = (args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Run> => runCli(config.dir, args, options);

const json = (run: Run) => {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
};

/** The management API as the server's admin (what an operator does before handing a key to a CLI user). */
const manage = () => new LakegateManagement({ uri: server.url, properties: { credential: server.credential } });

beforeAll(async () => {
  expect(existsSync(path.join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js')), 'build first: npx tsc -b packages/cli').toBe(true);
  server = await startServer({ env: { LAKEGATE_SIGV4_REGION: SIGV4_REGION, LAKEGATE_SIGV4_SIGNING_NAME: SIGV4_SIGNING_NAME } });
  config = tempDir('lakegate-cli-config-');
  [adminId, adminSecret] = server.credential.split(':') as [string, string];
  writeFileSync(path.join(config.dir, 'admin.cred'), `${server.credential}\n`, { mode: 0o600 });
});
afterAll(async () => {
  await server?.stop();
  config?.cleanup();
});

describe('login and profiles', { timeout: SLOW }, () => {
  it('refuses a wrong secret and saves nothing', async () => {
    const run = await lakegate(['login', '--uri', server.url, '--credential', `${adminId}:not-the-secret`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/invalid_client/);
    expect(run.stderr).not.toContain('not-the-secret');
    expect(existsSync(path.join(config.dir, 'profiles.json'))).toBe(false);
  });

  it('stores the profile in a 0600 file and never prints the secret', async () => {
    const run = await lakegate(['login', '--uri', server.url, '--warehouse', 'default', '--credential', `@${path.join(config.dir, 'admin.cred')}`]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Saved profile "default"');
    expect(run.stdout).toContain(`${adminId}:***`);
    expect(run.stdout + run.stderr).not.toContain(adminSecret);

    const file = path.join(config.dir, 'profiles.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The secret is stored (that is the point of the file), only there.
    expect(JSON.parse(readFileSync(file, 'utf8')).profiles.default).toMatchObject({
      uri: server.url,
      warehouse: 'default',
      properties: { credential: server.credential },
    });
  });

  it('config shows the profile masked and the negotiated catalog config', async () => {
    const human = await lakegate(['config']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('auth        oauth2');
    expect(human.stdout).toContain('GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials');
    expect(human.stdout).not.toContain(adminSecret);

    const out = json(await lakegate(['config', '--json']));
    expect(out.profile).toMatchObject({
      name: 'default',
      stored: true,
      uri: server.url,
      warehouse: 'default',
      auth: 'oauth2',
      properties: { credential: `${adminId}:***` },
    });
    expect(out.catalog.overrides.prefix).toBe('default');
    expect(out.catalog.endpoints).toContain('POST /v1/{prefix}/tables/rename');
  });

  it('flags beat the environment, which beats the profile', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const viaEnv = await lakegate(['ns', 'ls'], { env: { LAKEGATE_URI: dead } });
    expect(viaEnv.code).toBe(1);
    expect(viaEnv.stderr).toMatch(/ConnectionError|ECONNREFUSED/);
    const viaFlag = await lakegate(['ns', 'ls', '--uri', server.url], { env: { LAKEGATE_URI: dead } });
    expect(viaFlag.code, viaFlag.stderr).toBe(0);
    // A token from the environment replaces the profile's OAuth2 credential as a whole (no mixing).
    const badToken = await lakegate(['ns', 'ls', '--json'], { env: { LAKEGATE_TOKEN: 'not-a-token' } });
    expect(badToken.code).toBe(1);
    expect(JSON.parse(badToken.stderr).error.status).toBe(401);
    expect(badToken.stderr).not.toContain('not-a-token');
  });

  it('without a profile or URI it is a usage error', async () => {
    const run = await lakegate(['ns', 'ls'], { env: { LAKEGATE_PROFILE: 'nothing-here' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no catalog URI');
    const named = await lakegate(['ns', 'ls', '--profile', 'missing']);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('no profile "missing"');
  });
});

describe('namespaces and tables', { timeout: SLOW }, () => {
  it('creates and lists namespaces', async () => {
    expect((await lakegate(['ns', 'create', 'db'])).code).toBe(0);
    const nested = await lakegate(['ns', 'create', 'db."q1.2024"', '--property', 'owner=ops']);
    expect(nested.code, nested.stderr).toBe(0);
    expect(nested.stdout).toContain('Created namespace db."q1.2024"');
    const all = json(await lakegate(['ns', 'ls', '--recursive', '--json']));
    expect(all.namespaces).toEqual([
      { name: 'db', levels: ['db'] },
      { name: 'db."q1.2024"', levels: ['db', 'q1.2024'] },
    ]);
    const human = await lakegate(['ns', 'ls']);
    expect(human.stdout.split('\n')[0]).toBe('NAMESPACE');
  });

  it('creates, lists, describes, renames and drops a table', async () => {
    const created = await lakegate([
      'table',
      'create',
      'db.orders',
      '--column',
      'id:long:required',
      '--column',
      'amount:decimal(10,2)',
      '--column',
      'note:string',
      '--property',
      'team=sales',
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Created table db.orders');

    const list = await lakegate(['table', 'ls', 'db']);
    expect(list.stdout).toMatch(/^NAMESPACE\s+NAME\ndb\s+orders$/m);
    expect(json(await lakegate(['table', 'ls', 'db', '--json'])).tables).toEqual([{ name: 'db.orders', namespace: ['db'], table: 'orders' }]);

    const describeHuman = await lakegate(['table', 'describe', 'db.orders']);
    expect(describeHuman.code, describeHuman.stderr).toBe(0);
    expect(describeHuman.stdout).toMatch(/^table\s+db\.orders$/m);
    expect(describeHuman.stdout).toMatch(/^\s+1\s+id\s+long\s+yes$/m);
    expect(describeHuman.stdout).toMatch(/^\s+2\s+amount\s+decimal\(10, ?2\)\s+no$/m);
    expect(describeHuman.stdout).toMatch(/^\s+team\s+sales$/m);
    const described = json(await lakegate(['table', 'describe', 'orders', '--namespace', 'db', '--json']));
    expect(described.identifier).toEqual({ namespace: ['db'], name: 'orders' });
    expect(described.metadata.schemas[0].fields.map((f: { name: string }) => f.name)).toEqual(['id', 'amount', 'note']);
    expect(described['metadata-location']).toMatch(/\.metadata\.json$/);

    const renamed = await lakegate(['table', 'rename', 'db.orders', 'orders_v2']);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stdout).toContain('Renamed table db.orders to db.orders_v2');
    expect(json(await lakegate(['table', 'ls', 'db', '--json'])).tables.map((t: { name: string }) => t.name)).toEqual(['db.orders_v2']);

    expect((await lakegate(['table', 'drop', 'db.orders_v2'])).code).toBe(0);
    const gone = await lakegate(['table', 'describe', 'db.orders_v2']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/NoSuchTableException: .*db\.orders_v2.*\(HTTP 404\)/);
    expect(gone.stdout).toBe('');
  });

  it('views: an empty listing and a clear error for a missing view', async () => {
    expect(json(await lakegate(['view', 'ls', 'db', '--json']))).toEqual({ views: [] });
    const missing = await lakegate(['view', 'describe', 'db.nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('NoSuchViewException');
  });

  it('describes a view made through the Iceberg API: version, SQL, schema and properties', async () => {
    const sql = 'SELECT id, amount\nFROM db.orders\nWHERE amount > 100';
    const catalog = new IcebergRestCatalog({ uri: server.url, warehouse: 'default', properties: { credential: server.credential } });
    const created = await catalog.createView(['db'], {
      name: 'big_orders',
      schema: {
        type: 'struct',
        'schema-id': 0,
        fields: [
          { id: 1, name: 'id', type: 'long', required: true },
          { id: 2, name: 'amount', type: 'decimal(10, 2)', required: false },
        ],
      },
      'view-version': {
        'version-id': 1,
        'schema-id': 0,
        'timestamp-ms': Date.now(),
        summary: { 'engine-name': 'lakegate-cli-test' },
        representations: [{ type: 'sql', sql, dialect: 'spark' }],
        'default-namespace': ['db'],
      },
      properties: { comment: 'orders over 100' },
    });
    const uuid = created.metadata['view-uuid'];

    expect((await lakegate(['view', 'ls', 'db'])).stdout).toMatch(/^NAMESPACE\s+NAME\ndb\s+big_orders$/m);
    const human = await lakegate(['view', 'describe', 'db.big_orders']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^view\s+db\.big_orders$/m);
    expect(human.stdout).toMatch(new RegExp(`^uuid\\s+${uuid}$`, 'm'));
    expect(human.stdout).toMatch(/^format\s+v1$/m);
    expect(human.stdout).toMatch(/^metadata\s+\S+\.metadata\.json$/m);
    expect(human.stdout).toMatch(/^version\s+1 at \d{4}-\d\d-\d\dT[\d:.]+Z$/m);
    expect(human.stdout).toMatch(/^versions\s+1$/m);
    expect(human.stdout).toMatch(/^default namespace\s+db$/m);
    // The SQL keeps its lines, indented under its dialect.
    expect(human.stdout).toContain('sql (spark)\n  SELECT id, amount\n  FROM db.orders\n  WHERE amount > 100\n');
    expect(human.stdout).toContain('schema (id 0)');
    expect(human.stdout).toMatch(/^\s+1\s+id\s+long\s+yes$/m);
    expect(human.stdout).toMatch(/^\s+2\s+amount\s+decimal\(10, ?2\)\s+no$/m);
    expect(human.stdout).toMatch(/^\s+comment\s+orders over 100$/m);

    const described = json(await lakegate(['view', 'describe', 'big_orders', '--namespace', 'db', '--json']));
    expect(described).toMatchObject({
      name: 'db.big_orders',
      identifier: { namespace: ['db'], name: 'big_orders' },
      'metadata-location': created['metadata-location'],
    });
    expect(described.metadata).toMatchObject({ 'view-uuid': uuid, 'format-version': 1, 'current-version-id': 1, properties: { comment: 'orders over 100' } });
    expect(described.metadata.versions).toHaveLength(1);
    expect(described.metadata.versions[0].representations).toEqual([{ type: 'sql', sql, dialect: 'spark' }]);
    expect(described.metadata.schemas[0].fields.map((f: { name: string }) => f.name)).toEqual(['id', 'amount']);
  });

  it('errors: unknown table exits 1, bad usage exits 2, --json errors are JSON on stderr', async () => {
    const unknown = await lakegate(['table', 'describe', 'db.missing', '--json']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(JSON.parse(unknown.stderr).error).toMatchObject({ type: 'NoSuchTableException', status: 404, 'exit-code': 1 });

    const badFlag = await lakegate(['table', 'ls', 'db', '--bogus']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("Unknown option '--bogus'");
    expect((await lakegate(['frobnicate'])).code).toBe(2);
    expect((await lakegate(['table', 'describe', 'orders'])).stderr).toContain('needs a namespace');
    expect((await lakegate(['table', 'create', 'db.x', '--column', 'id:integer'])).code).toBe(2);
    expect((await lakegate(['table', 'describe', 'db."open'])).code).toBe(2);
  });
});

describe('API keys and SigV4 from the command line', { timeout: SLOW }, () => {
  it('--api-key: a key minted for a principal works; a wrong or revoked key exits 1 and is never echoed', async () => {
    const owner = await createPrincipal(server, 'cli-api-key');
    await grantTo(server, owner.id, ['namespace:list'], { type: 'warehouse', warehouse: 'default' });
    const created = await manage().createApiKey(owner.id, { name: 'cli', 'expires-in-seconds': 600 });
    const key = created['api-key'];
    const secretPart = key.split('_').slice(2).join('_'); // after "lgk_" and the key id
    const runs: Run[] = [];
    const run = async (args: string[], options?: { env?: Record<string, string> }) => {
      const result = await lakegate(args, options);
      runs.push(result);
      return result;
    };

    // The flag replaces the default profile's OAuth2 credential as a whole: the server sees the key's owner.
    const listed = json(await run(['ns', 'ls', '--uri', server.url, '--api-key', key, '--json']));
    expect(listed.namespaces).toContainEqual({ name: 'db', levels: ['db'] });
    expect(await server.settledOutput()).toMatch(new RegExp(`"actor":"service:${owner.id}","auth":"api-key"`));
    const keyFile = path.join(config.dir, 'api.key');
    writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    expect((await run(['ns', 'ls', '--uri', server.url, '--api-key', `@${keyFile}`])).code).toBe(0);
    expect((await run(['ns', 'ls', '--uri', server.url], { env: { LAKEGATE_API_KEY: key } })).code).toBe(0);

    const wrong = await run(['ns', 'ls', '--uri', server.url, '--api-key', tampered(key, { count: 3, fromEnd: 1 })]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(/^lakegate: error: .*\(HTTP 401\)$/m);

    await manage().revokeApiKey(created['key-id']);
    const revoked = await run(['ns', 'ls', '--uri', server.url, '--api-key', key, '--json']);
    expect(revoked.code).toBe(1);
    expect(revoked.stdout).toBe('');
    expect(JSON.parse(revoked.stderr).error).toMatchObject({ status: 401, 'exit-code': 1 });
    expect(JSON.parse(revoked.stderr).error.message).toMatch(/revoked/);

    for (const r of runs) expect(r.stdout + r.stderr).not.toContain(secretPart);
    expect(await server.settledOutput()).not.toContain(secretPart);
  });

  it('--auth sigv4: signs with the AWS environment credentials, signing name and region the server expects', async () => {
    const signer = await createPrincipal(server, 'cli-signer');
    await grantTo(server, signer.id, ['namespace:list'], { type: 'warehouse', warehouse: 'default' });
    const key = await manage().createAccessKey(signer.id);
    const aws = { AWS_ACCESS_KEY_ID: key['access-key-id'], AWS_SECRET_ACCESS_KEY: key['secret-access-key'] };
    const sigv4 = ['--uri', server.url, '--auth', 'sigv4', '--signing-name', SIGV4_SIGNING_NAME];
    const runs: Run[] = [];
    const run = async (args: string[], env: Record<string, string>) => {
      const result = await lakegate(args, { env });
      runs.push(result);
      return result;
    };

    const listed = json(await run(['ns', 'ls', ...sigv4, '--signing-region', SIGV4_REGION, '--json'], aws));
    expect(listed.namespaces).toContainEqual({ name: 'db', levels: ['db'] });
    // A fresh principal, so this line can only come from the CLI's signed requests.
    expect(await server.settledOutput()).toMatch(new RegExp(`"actor":"service:${signer.id}","auth":"sigv4"`));
    // The region may come from the AWS environment instead of the flag.
    expect((await run(['ns', 'ls', ...sigv4], { ...aws, AWS_REGION: SIGV4_REGION })).code).toBe(0);

    // A signature for another region is refused by the server (exit 1); no region at all is a configuration error (exit 2).
    const otherRegion = await run(['ns', 'ls', ...sigv4, '--signing-region', 'us-west-2', '--json'], aws);
    expect(otherRegion.code).toBe(1);
    expect(JSON.parse(otherRegion.stderr).error.status).toBe(401);
    const noRegion = await run(['ns', 'ls', ...sigv4], aws);
    expect(noRegion.code).toBe(2);
    expect(noRegion.stderr).toContain('signing region');
    // No credentials anywhere in the AWS chain (no ~/.aws files, no instance metadata): also configuration, exit 2.
    const nowhere = path.join(config.dir, 'no-aws');
    const noCredentials = await run(['ns', 'ls', ...sigv4, '--signing-region', SIGV4_REGION], {
      AWS_CONFIG_FILE: nowhere,
      AWS_SHARED_CREDENTIALS_FILE: nowhere,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    expect(noCredentials.code).toBe(2);
    expect(noCredentials.stderr).toMatch(/^lakegate: error: no AWS credentials for SigV4 .*AWS_ACCESS_KEY_ID/m);

    for (const r of runs) expect(r.stdout + r.stderr).not.toContain(key['secret-access-key']);
    expect(await server.settledOutput()).not.toContain(key['secret-access-key']);
  });
});

describe('vended credentials (Azure warehouse on Azurite)', { timeout: SLOW }, () => {
  let azurite: Azurite;
  const host = () => `${azurite.account}.dfs.core.windows.net`;

  beforeAll(async () => {
    azurite = await startAzurite();
    await azurite.createContainer('lake');
    const profile = {
      type: 'azure',
      account: azurite.account,
      container: 'lake',
      endpoint: azurite.endpoint,
      'sas-scope': 'container',
      'credential-lifetime-seconds': 900,
    };
    const created = await lakegate(
      [
        'admin',
        'warehouse',
        'create',
        'az',
        '--storage-root',
        `abfss://lake@${host()}/az`,
        '--storage-profile',
        JSON.stringify(profile),
        '--storage-secret',
        '-',
        '--json',
      ],
      { input: JSON.stringify({ 'account-key': azurite.accountKey }) },
    );
    expect(json(created)).toMatchObject({ name: 'az', 'has-storage-secret': true });
    expect(created.stdout).not.toContain(azurite.accountKey);
    expect((await lakegate(['ns', 'create', 'ns', '-w', 'az'])).code).toBe(0);
    const table = await lakegate(['table', 'create', 'ns.t', '-w', 'az', '--column', 'id:long']);
    expect(table.code, table.stderr).toBe(0);
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it('lists the warehouse', async () => {
    const list = await lakegate(['admin', 'warehouse', 'ls']);
    expect(list.stdout).toMatch(/^az\s+default\s+azure\s+abfss:\/\/lake@\S+\s+yes$/m);
  });

  it('shows prefix, provider and expiry, and the SAS only with --show-secrets', async () => {
    const secret = json(await lakegate(['creds', 'ns.t', '-w', 'az', '--show-secrets', '--json']));
    const [credential] = secret['storage-credentials'];
    const sas: string = credential.config[`adls.sas-token.${host()}`];
    expect(sas).toMatch(/sig=/);
    expect(credential).toMatchObject({ provider: 'azure', 'secrets-shown': true });
    expect(credential['expires-at-ms']).toBeGreaterThan(Date.now());

    const human = await lakegate(['creds', 'ns.t', '-w', 'az']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^prefix\s+abfss:\/\/lake@/m);
    expect(human.stdout).toMatch(/^provider\s+azure$/m);
    expect(human.stdout).toMatch(/^expires\s+\d{4}-\d\d-\d\dT.*\(in \d+m\)$/m);
    expect(human.stdout).toContain(`adls.sas-token.${host()}`);
    expect(human.stdout).toContain('--show-secrets prints them');
    expect(human.stdout).not.toContain(sas.slice(0, 40));
    expect(human.stdout).not.toMatch(/sig=/);

    const masked = json(await lakegate(['creds', 'ns.t', '-w', 'az', '--json']));
    expect(masked['storage-credentials'][0].config[`adls.sas-token.${host()}`]).toBe('***');
    expect(JSON.stringify(masked)).not.toMatch(/sig=/);

    const shown = await lakegate(['creds', 'ns.t', '-w', 'az', '--show-secrets']);
    expect(shown.stdout).toMatch(/sig=/);
  });
});

describe('tokens', { timeout: SLOW }, () => {
  it('inspect decodes the profile token and says it is not verified', async () => {
    const human = await lakegate(['token', 'inspect']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^NOT VERIFIED/);
    expect(human.stdout).toMatch(new RegExp(`^\\s+sub\\s+${adminId}$`, 'm'));
    const out = json(await lakegate(['token', 'inspect', '--json']));
    expect(out).toMatchObject({ verified: false, header: { alg: 'ES256' }, claims: { sub: adminId }, expired: false });
    // The token itself is never printed.
    const token = await server.token();
    expect(human.stdout).not.toContain(token.split('.')[2]!.slice(0, 20));

    const given = json(await lakegate(['token', 'inspect', '-', '--json'], { input: `${token}\n` }));
    expect(given.claims.sub).toBe(adminId);
    const garbage = await lakegate(['token', 'inspect', 'not-a-jwt']);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain('not a JWT');
  });

  it('exchange: the profile session acts for the subject (RFC 8693 delegation)', async () => {
    const credentialFile = path.join(config.dir, 'engine.json');
    const created = await lakegate(['admin', 'principal', 'create', 'engine', '--delegate-user', adminId, '--credential-file', credentialFile]);
    expect(created.code, created.stderr).toBe(0);
    expect(statSync(credentialFile).mode & 0o777).toBe(0o600);
    const engine: string = JSON.parse(readFileSync(credentialFile, 'utf8')).credential;
    expect(created.stdout).not.toContain(engine.split(':')[1]);
    const engineId = engine.split(':')[0]!;
    const listed = json(await lakegate(['admin', 'principal', 'ls', '--json']));
    expect(listed.principals.map((p: { 'client-id': string }) => p['client-id'])).toContain(engineId);

    // The engine's login (a second profile) is the actor; the admin's token is the subject, read from stdin.
    const login = await lakegate(['login', '--profile', 'engine', '--uri', server.url, '--credential', '-'], { input: engine });
    expect(login.code, login.stderr).toBe(0);
    const subject = await server.token();
    const out = json(await lakegate(['token', 'exchange', '--profile', 'engine', '--subject-token', '-', '--json'], { input: subject }));
    expect(out).toMatchObject({ 'actor-mode': 'actor-token', verified: false, claims: { sub: adminId, act: { sub: engineId } } });
    expect(out['expires-at-ms']).toBeGreaterThan(Date.now());
    expect(out.access_token).toBeUndefined();

    const shown = json(await lakegate(['token', 'exchange', '--profile', 'engine', '--subject-token', '-', '--show-secrets', '--json'], { input: subject }));
    expect(shown.access_token.split('.')).toHaveLength(3);

    const refused = await lakegate(['token', 'exchange', '--profile', 'engine', '--subject-token', 'garbage']);
    expect(refused.code).toBe(1);
    // RFC 8693 §2.2.2: an invalid subject token is invalid_request.
    expect(refused.stderr).toMatch(/^lakegate: error: invalid_request: /);
  });

  it('admin principal disable, enable and revoke-tokens; a group delegation needs its issuer', async () => {
    const credentialFile = path.join(config.dir, 'switched.json');
    expect((await lakegate(['admin', 'principal', 'create', 'switched', '--delegate-group', 'analysts'])).code).toBe(2);
    const created = await lakegate([
      'admin',
      'principal',
      'create',
      'switched',
      '--delegate-issuer',
      'asserted',
      '--delegate-user',
      'carol',
      '--credential-file',
      credentialFile,
    ]);
    expect(created.code, created.stderr).toBe(0);
    const credential: string = JSON.parse(readFileSync(credentialFile, 'utf8')).credential;
    const id = credential.split(':')[0]!;
    const delegation = json(await lakegate(['admin', 'principal', 'ls', '--json'])).principals.find(
      (p: { 'client-id': string }) => p['client-id'] === id,
    ).delegation;
    expect(delegation.users).toEqual([{ issuer: 'asserted', name: 'carol' }]);
    const login = await lakegate(['login', '--profile', 'switched', '--uri', server.url, '--credential', '-'], { input: credential });
    expect(login.code, login.stderr).toBe(0);
    expect(json(await lakegate(['admin', 'principal', 'disable', id, '--json']))).toMatchObject({ 'client-id': id, disabled: 'yes' });
    expect((await lakegate(['config', '--profile', 'switched'])).code).toBe(1);
    expect(json(await lakegate(['admin', 'principal', 'enable', id, '--json']))).toMatchObject({ disabled: 'no' });
    expect((await lakegate(['config', '--profile', 'switched'])).code).toBe(0);
    expect((await lakegate(['admin', 'principal', 'revoke-tokens', id])).code).toBe(0);
  });
});
