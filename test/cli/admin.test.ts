/**
 * `lakegate admin role|grant|revoke|grants|explain|audit` as users run them: the built bin against a real server
 * process with authentication on, the admin's profile doing the managing and a reader's profile proving what the
 * grants allow. Exit codes as the CLI documents them: 0 ok, 1 the server refused, 2 usage.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../support/cli.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { tempDir } from '../support/temp.js';
import { makeCertificates, makeClientCertificate } from '../support/tls-certs.js';

/** Each test runs the CLI several times, each a fresh Node process; the machine is shared. */
const SLOW = 120_000;
const DOTTED_TABLE = 'table:default."2024.q1".events';

let server: ServerProcess;
let config: { dir: string; cleanup: () => void };
let readerId: string;

const lakegate = (...args: string[]): Promise<CliRun> => runCli(config.dir, args);
const asReader = (...args: string[]): Promise<CliRun> => runCli(config.dir, [...args, '--profile', 'reader']);

/** Succeeds and prints one JSON document. */
const json = (run: CliRun) => {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
};
const ok = (run: CliRun): string => {
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
};
/** Fails with the exit code, and for a usage error says what to run for help. */
const fails = (run: CliRun, code: 1 | 2): string => {
  expect(run.code, run.stdout + run.stderr).toBe(code);
  expect(run.stdout).toBe('');
  return run.stderr;
};

beforeAll(async () => {
  server = await startServer({ env: { LAKEGATE_LOG_LEVEL: 'warn' } });
  config = tempDir('lakegate-cli-admin-');
  // The credential file the server writes on its first start is what --credential @FILE reads.
  ok(await lakegate('login', '--uri', server.url, '--warehouse', 'default', '--credential', `@${path.join(server.dataDir, 'admin-credentials.json')}`));
  ok(await lakegate('ns', 'create', 'sales'));
  ok(await lakegate('table', 'create', 'sales.orders', '--column', 'id:long'));
  ok(await lakegate('ns', 'create', '"2024.q1"'));
  ok(await lakegate('table', 'create', '"2024.q1".events', '--column', 'id:long'));

  const readerFile = path.join(config.dir, 'reader.json');
  ok(await lakegate('admin', 'principal', 'create', 'reader', '--credential-file', readerFile));
  const credential: string = JSON.parse(readFileSync(readerFile, 'utf8')).credential;
  readerId = credential.split(':')[0]!;
  // And so is the file `principal create --credential-file` writes.
  ok(await lakegate('login', '--profile', 'reader', '--uri', server.url, '--warehouse', 'default', '--credential', `@${readerFile}`));
  const malformed = path.join(config.dir, 'malformed.json');
  writeFileSync(malformed, JSON.stringify({ secret: credential }));
  const refused = await lakegate('login', '--profile', 'bad', '--uri', server.url, '--credential', `@${malformed}`);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('must hold {"credential": "id:secret"}');
  expect(refused.stderr).not.toContain(credential.split(':')[1]);
}, 180_000);
afterAll(async () => {
  await server?.stop();
  config?.cleanup();
});

describe('granting a reader role', { timeout: SLOW }, () => {
  it('creates a role, grants on a namespace and adds the principal; the reader reads and cannot write', async () => {
    // Nothing before the grant: deny by default.
    fails(await asReader('table', 'ls', 'sales'), 1);

    expect(ok(await lakegate('admin', 'role', 'create', 'analyst', '--description', 'reads sales'))).toBe('Created role analyst in tenant default\n');
    const roles = json(await lakegate('admin', 'role', 'ls', '--json')).roles;
    expect(roles.map((r: { name: string }) => r.name)).toEqual(['admin', 'analyst']);
    expect(ok(await lakegate('admin', 'role', 'ls'))).toMatch(/^analyst\s+default\s+\d{4}-\d\d-\d\dT\S+\s+reads sales$/m);

    expect(ok(await lakegate('admin', 'grant', 'table:read-data,namespace:list,table:list', 'ON', 'namespace:default.sales', 'TO', 'analyst'))).toBe(
      'Granted table:read-data, namespace:list, table:list on namespace:default.sales to role analyst\n',
    );
    expect(ok(await lakegate('admin', 'role', 'add-member', 'analyst', '--principal', readerId))).toBe(`Added principal ${readerId} to role analyst\n`);
    expect(json(await lakegate('admin', 'role', 'add-member', 'analyst', '--principal', readerId, '--json'))).toEqual({
      role: 'analyst',
      member: { kind: 'principal', name: readerId },
      created: false,
    });

    expect(ok(await asReader('table', 'ls', 'sales'))).toContain('orders');
    const refused = fails(await asReader('table', 'create', 'sales.more', '--column', 'id:long'), 1);
    expect(refused).toMatch(/ForbiddenException.*\(HTTP 403\)/);
    // The reader is no administrator.
    expect(fails(await asReader('admin', 'role', 'ls'), 1)).toMatch(/ForbiddenException.*\(HTTP 403\)/);
    expect(fails(await asReader('admin', 'grant', 'table:write-data', 'ON', 'namespace:default.sales', 'TO', 'analyst'), 1)).toMatch(/HTTP 403/);
  });

  it('shows a role, lists grants by role and by securable (quoted levels too)', async () => {
    ok(await lakegate('admin', 'role', 'create', 'q1'));
    ok(await lakegate('admin', 'grant', 'table:read-metadata', 'on', DOTTED_TABLE, 'to', 'q1'));
    ok(await lakegate('admin', 'role', 'add-member', 'q1', '--group', 'analysts', '--issuer', 'asserted'));

    const shown = ok(await lakegate('admin', 'role', 'show', 'q1'));
    expect(shown).toMatch(/^role\s+q1$/m);
    expect(shown).toContain('members (1)\n  group analysts (asserted)');
    expect(shown).toMatch(/^ {2}table:read-metadata\s+table:default\."2024\.q1"\.events$/m);
    const details = json(await lakegate('admin', 'role', 'describe', 'q1', '--json'));
    expect(details).toMatchObject({
      role: { name: 'q1' },
      members: [{ kind: 'group', name: 'analysts', issuer: 'asserted' }],
      grants: [{ privilege: 'table:read-metadata', securable: { type: 'table', warehouse: 'default', namespace: ['2024.q1'], name: 'events' } }],
    });

    const byRole = ok(await lakegate('admin', 'grants', '--role', 'analyst'));
    expect(byRole.split('\n')[0]).toMatch(/^ROLE\s+PRIVILEGE\s+SECURABLE$/);
    expect(byRole).toMatch(/^analyst\s+table:read-data\s+namespace:default\.sales$/m);
    expect(json(await lakegate('admin', 'grants', 'ON', DOTTED_TABLE, '--json')).grants).toEqual([
      expect.objectContaining({ role: 'q1', privilege: 'table:read-metadata' }),
    ]);
    expect(json(await lakegate('admin', 'grants', '--json')).grants).toHaveLength(4);
    expect(ok(await lakegate('admin', 'grants', '--role', 'q1', 'ON', 'namespace:default.sales'))).toBe('no grants\n');
  });

  it('explains with the sentence, or the JSON', async () => {
    const human = ok(await lakegate('admin', 'explain', '--principal', readerId, 'table:read-data', 'ON', 'table:default.sales.orders'));
    expect(human).toBe(
      `principal ${readerId} can table:read-data on default/sales.orders through role analyst granted table:read-data on namespace default/sales\n`,
    );
    const denied = json(await lakegate('admin', 'explain', '--principal', readerId, 'table:write-data', 'ON', 'table:default.sales.orders', '--json'));
    expect(denied).toMatchObject({ allowed: false, reason: 'none', via: [] });
    // A user with the group its token would carry: the group's role gives it.
    const viaGroup = ok(
      await lakegate('admin', 'explain', '--user', 'alice', '--issuer', 'asserted', '--group', 'analysts', 'table:read-metadata', 'ON', DOTTED_TABLE),
    );
    expect(viaGroup).toContain('user alice can table:read-metadata on default/2024.q1.events through role q1 (held by group analysts)');
    expect(
      json(await lakegate('admin', 'explain', '--group', 'analysts', '--issuer', 'asserted', 'table:read-data', 'ON', DOTTED_TABLE, '--json')).allowed,
    ).toBe(false);
  });

  it('revokes, removes members and deletes roles; the server refusals exit 1', async () => {
    ok(await lakegate('admin', 'role', 'create', 'temp'));
    ok(await lakegate('admin', 'grant', 'table:list,table:read-data', 'ON', 'namespace:default.sales', 'TO', 'temp'));
    ok(await lakegate('admin', 'role', 'add-member', 'temp', '--user', 'bob', '--issuer', 'asserted'));
    expect(fails(await lakegate('admin', 'role', 'create', 'temp'), 1)).toMatch(/AlreadyExistsException.*\(HTTP 409\)/);
    expect(fails(await lakegate('admin', 'role', 'rm', 'temp'), 1)).toMatch(/ConflictException.*\(HTTP 409\)/);

    expect(ok(await lakegate('admin', 'revoke', 'table:list', 'ON', 'namespace:default.sales', 'FROM', 'temp'))).toBe(
      'Revoked table:list on namespace:default.sales from role temp (1 grant)\n',
    );
    expect(fails(await lakegate('admin', 'revoke', 'table:list', 'ON', 'namespace:default.sales', 'FROM', 'temp'), 1)).toMatch(
      /NotFoundException.*\(HTTP 404\)/,
    );
    expect(json(await lakegate('admin', 'revoke', 'table:read-data', 'ON', 'namespace:default.sales', 'FROM', 'temp', '--json'))).toMatchObject({
      revoked: 1,
      role: 'temp',
    });
    expect(ok(await lakegate('admin', 'role', 'rm-member', 'temp', '--user', 'bob', '--issuer', 'asserted'))).toBe(
      'Removed user bob (asserted) from role temp\n',
    );
    expect(ok(await lakegate('admin', 'role', 'rm', 'temp'))).toBe('Deleted role temp\n');
    expect(fails(await lakegate('admin', 'role', 'show', 'temp'), 1)).toMatch(/HTTP 404/);
    expect(fails(await lakegate('admin', 'grant', 'table:list', 'ON', 'namespace:default.sales', 'TO', 'temp'), 1)).toMatch(/HTTP 404/);
    expect(fails(await lakegate('admin', 'grant', 'table:list', 'ON', 'warehouse:nowhere', 'TO', 'analyst'), 1)).toMatch(/HTTP 404/);
    expect(fails(await lakegate('admin', 'grant', 'table:fly', 'ON', 'warehouse:default', 'TO', 'analyst'), 1)).toMatch(/HTTP 400/);
    // --json errors are one JSON object on stderr.
    const jsonError = await lakegate('admin', 'role', 'show', 'temp', '--json');
    expect(JSON.parse(jsonError.stderr)).toMatchObject({ error: { status: 404, 'exit-code': 1 } });
  });

  it('refuses malformed command lines with exit 2 before sending anything', async () => {
    const usage: Array<[string[], RegExp]> = [
      [['grant', 'table:list', 'namespace:default.sales', 'TO', 'analyst'], /expected PRIVILEGE\[,\.\.\.\] ON SECURABLE TO ROLE/],
      [['grant', 'table:list', 'ON', 'namespace:default.sales', 'FROM', 'analyst'], /"TO" is missing/],
      [['revoke', 'table:list', 'ON', 'namespace:default.sales', 'TO', 'analyst'], /"FROM" is missing/],
      [['grant', 'table:list,', 'ON', 'namespace:default.sales', 'TO', 'analyst'], /empty privilege/],
      [['grant', 'table:list', 'ON', 'schema:default.sales', 'TO', 'analyst'], /not a securable/],
      [['grant', 'table:list', 'ON', 'namespace:default', 'TO', 'analyst'], /a namespace is namespace:WAREHOUSE\.NAMESPACE/],
      [['grant', 'table:list', 'ON', 'table:default.sales', 'TO', 'analyst'], /a table is table:WAREHOUSE\.NAMESPACE\.TABLE/],
      [['grant', 'table:list', 'ON', 'warehouse:a.b', 'TO', 'analyst'], /a warehouse is warehouse:WAREHOUSE/],
      [['grant', 'table:list', 'ON', 'table:default."2024.q1.events', 'TO', 'analyst'], /unterminated quote/],
      [['role', 'add-member', 'analyst', '--user', 'alice'], /needs --issuer/],
      [['role', 'add-member', 'analyst'], /no member given/],
      [['role', 'add-member', 'analyst', '--principal', 'x', '--issuer', 'asserted'], /by its client id alone/],
      [['role', 'add-member', 'analyst', '--user', 'a', '--group', 'g', '--issuer', 'asserted'], /a user or a group, not both/],
      [['explain', 'table:list', 'ON', 'namespace:default.sales'], /no member given/],
      [['explain', '--principal', 'x', 'table:list,table:drop', 'ON', 'namespace:default.sales'], /one privilege/],
      [['grants', 'namespace:default.sales', 'extra'], /expected ON SECURABLE/],
      [['audit', '--decision', 'maybe'], /allow or deny/],
      [['audit', '--limit', '0'], /1 to 1000/],
      [['audit', '--since', 'yesterday'], /ISO 8601/],
      [['role', 'frobnicate'], /unknown admin command "role frobnicate"/],
      [['nothing'], /unknown admin command "nothing"/],
    ];
    for (const [args, message] of usage) {
      const run = await lakegate('admin', ...args);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
  });
});

describe("a principal's delegation and machine keys", { timeout: SLOW }, () => {
  it('sets delegation; API and SigV4 access keys authenticate the admin commands; a revoked API key does not', async () => {
    const opsFile = path.join(config.dir, 'ops.json');
    const opsId = json(await lakegate('admin', 'principal', 'create', 'ops', '--admin', '--credential-file', opsFile, '--json'))['client-id'];

    const delegation = ok(await lakegate('admin', 'principal', 'delegation', opsId, '--delegate-user', 'alice', '--delegate-user', 'bob', '--assert-identity'));
    expect(delegation).toMatch(/^ {2}users\s+alice, bob$/m);
    expect(delegation).toMatch(/^ {2}groups\s+none$/m);
    expect(delegation).toMatch(/^ {2}assert-identity\s+yes/m);
    const listed = json(await lakegate('admin', 'principal', 'ls', '--json')).principals.find((p: { 'client-id': string }) => p['client-id'] === opsId);
    expect(listed.delegation).toEqual({ users: ['alice', 'bob'], groups: [], 'assert-identity': true });

    const apiKey = json(await lakegate('admin', 'api-key', 'create', opsId, '--name', 'dashboard', '--expires-in', '600', '--json'));
    expect(apiKey['expires-at-ms']).toBeGreaterThan(Date.now());
    const byKey = ['admin', 'role', 'ls', '--uri', server.url, '--api-key', '-', '--json'];
    expect(json(await runCli(config.dir, byKey, { input: apiKey['api-key'] })).roles[0].name).toBe('admin');
    expect(ok(await lakegate('admin', 'api-key', 'revoke', apiKey['key-id']))).toBe(`Revoked API key ${apiKey['key-id']}\n`);
    const revoked = await runCli(config.dir, byKey, { input: apiKey['api-key'] });
    expect(revoked.code).toBe(1);
    expect(JSON.parse(revoked.stderr).error.status).toBe(401);

    const human = await lakegate('admin', 'access-key', 'create', opsId);
    expect(human.code, human.stderr).toBe(0);
    const accessKeyId = /^ {2}access-key-id\s+(\S+)$/m.exec(human.stdout)?.[1];
    const secretAccessKey = /^ {2}secret-access-key\s+(\S+)$/m.exec(human.stdout)?.[1];
    expect(human.stderr).toContain('shown this once');
    const signed = await runCli(config.dir, ['admin', 'grants', '--uri', server.url, '--auth', 'sigv4', '--signing-region', 'us-east-1', '--json'], {
      env: { AWS_ACCESS_KEY_ID: accessKeyId!, AWS_SECRET_ACCESS_KEY: secretAccessKey! },
    });
    expect(json(signed).grants.length).toBeGreaterThan(0);
    expect(fails(await lakegate('admin', 'api-key', 'create', opsId), 2)).toContain('--name');
  });
});

describe('the audit trail', { timeout: SLOW }, () => {
  it('filters and pages with --before', async () => {
    const first = json(await lakegate('admin', 'audit', '--type', 'grant.added', '--since', '1h', '--limit', '1', '--json'));
    expect(first.events).toHaveLength(1);
    expect(first.events[0]).toMatchObject({ type: 'grant.added', tenant: 'default' });
    expect(first.next).toEqual(expect.any(String));
    const second = json(await lakegate('admin', 'audit', '--type', 'grant.added', '--since', '1h', '--limit', '1', '--before', first.next, '--json'));
    expect(second.events[0].atMs).toBeLessThanOrEqual(first.events[0].atMs);
    expect(second.events[0].id).not.toBe(first.events[0].id);

    const human = await lakegate('admin', 'audit', '--object', 'default/sales', '--limit', '2');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout.split('\n')[0]).toMatch(/^TIME\s+DECISION\s+ACTOR\s+ACTION\s+OBJECT\s+TYPE$/);
    expect(human.stdout.trim().split('\n')).toHaveLength(3);
    expect(human.stderr).toMatch(/^more events: repeat with --before \S+$/m);
  });

  it("shows the reader's denials", async () => {
    const denials = json(await lakegate('admin', 'audit', '--decision', 'deny', '--actor', readerId, '--since', String(Date.now() - 3_600_000), '--json'));
    expect(denials.events.length).toBeGreaterThan(0);
    expect(denials.events.every((e: { decision: string; actor: string }) => e.decision === 'deny' && e.actor.includes(readerId))).toBe(true);
    expect(denials.next).toBeNull();
    expect(fails(await asReader('admin', 'audit'), 1)).toMatch(/HTTP 403/);
  });
});

describe('storage granted to a tenant', { timeout: SLOW }, () => {
  it('is set by the platform admin, shown, withdrawn, and refused to a non-admin (exit 1)', async () => {
    expect(json(await lakegate('admin', 'warehouse', 'grant', 'acme', '--json'))).toEqual({ tenant: 'acme', roots: [] });
    expect(json(await lakegate('admin', 'warehouse', 'grant', 'acme', '--root', 's3://acme-bucket', '--root', 's3://shared/acme', '--json'))).toEqual({
      tenant: 'acme',
      roots: ['s3://acme-bucket', 's3://shared/acme'],
    });
    expect(ok(await lakegate('admin', 'warehouse', 'grant', 'acme'))).toContain('s3://shared/acme');
    expect(fails(await asReader('admin', 'warehouse', 'grant', 'default', '--root', 's3://x-bucket'), 1)).toMatch(/HTTP 403/);
    expect(fails(await lakegate('admin', 'warehouse', 'grant', 'acme', '--root', 'file:///etc'), 1)).toMatch(/HTTP 400/);
    expect(fails(await lakegate('admin', 'warehouse', 'grant', 'acme', '--root', 's3://a-bucket', '--none'), 2)).toMatch(/not both/);
    expect(json(await lakegate('admin', 'warehouse', 'grant', 'acme', '--none', '--json'))).toEqual({ tenant: 'acme', roots: [] });
  });
});

describe('warehouse settings', { timeout: SLOW }, () => {
  it('are changed with warehouse set (--property, --remove), checked by the server, refused to a non-admin', async () => {
    const set = json(
      await lakegate(
        'admin',
        'warehouse',
        'set',
        'default',
        '--property',
        'drop.retention-ms=86400000',
        '--property',
        'history.expire.min-snapshots-to-keep=2',
        '--json',
      ),
    );
    expect(set.properties).toMatchObject({ 'drop.retention-ms': '86400000', 'history.expire.min-snapshots-to-keep': '2' });
    expect(ok(await lakegate('admin', 'warehouse', 'set', 'default', '--remove', 'history.expire.min-snapshots-to-keep'))).toContain('drop.retention-ms');
    expect(fails(await lakegate('admin', 'warehouse', 'set', 'default', '--property', 'drop.retention-ms=soon'), 1)).toMatch(/HTTP 400/);
    expect(fails(await lakegate('admin', 'warehouse', 'set', 'default'), 2)).toMatch(/needs --property/);
    expect(fails(await asReader('admin', 'warehouse', 'set', 'default', '--property', 'drop.retention-ms=0'), 1)).toMatch(/HTTP 403/);
  });

  it('has its storage profile replaced with warehouse storage, the secret read from a file and never printed', async () => {
    const secretFile = path.join(config.dir, 'storage-secret.json');
    writeFileSync(secretFile, JSON.stringify({ 'access-key-id': 'k2', 'secret-access-key': 'cli-secret-never-printed' }));
    const profile = (region: string) => JSON.stringify({ type: 's3', bucket: 'cli-bucket', region });
    ok(
      await lakegate(
        'admin',
        'warehouse',
        'create',
        'cli-s3',
        '--storage-root',
        's3://cli-bucket/wh',
        '--storage-profile',
        profile('us-east-1'),
        '--storage-secret',
        `@${secretFile}`,
      ),
    );
    const run = await lakegate('admin', 'warehouse', 'storage', 'cli-s3', '--storage-profile', profile('eu-west-1'), '--storage-secret', `@${secretFile}`);
    expect(ok(run)).toMatch(/region\s+eu-west-1/);
    expect(run.stdout + run.stderr).not.toContain('cli-secret-never-printed');
    const kept = json(await lakegate('admin', 'warehouse', 'storage', 'cli-s3', '--storage-profile', profile('eu-central-1'), '--json'));
    expect(kept).toMatchObject({ name: 'cli-s3', 'storage-profile': { region: 'eu-central-1' }, 'has-storage-secret': true });
    expect(fails(await lakegate('admin', 'warehouse', 'storage', 'cli-s3', '--storage-profile', '{"type":"file"}'), 1)).toMatch(
      /BadRequest.*storage-profile\.type cannot change/s,
    );
    expect(fails(await lakegate('admin', 'warehouse', 'storage', 'cli-s3'), 2)).toMatch(/needs --storage-profile/);
    expect(fails(await asReader('admin', 'warehouse', 'storage', 'cli-s3', '--storage-profile', profile('us-east-1')), 1)).toMatch(/HTTP 403/);
  });
});

describe('a federated warehouse', { timeout: SLOW }, () => {
  it('is created with --federation and --federation-secret after the connection test; the secret is never printed', async () => {
    // The remote is this very server's Iceberg REST API (any conforming catalog will do), reached with the admin's credentials.
    const [id, secret] = server.credential.split(':') as [string, string];
    const federation = JSON.stringify({ kind: 'iceberg-rest', uri: server.url, warehouse: 'default', 'client-id': id });
    const base = [
      'admin',
      'warehouse',
      'create',
      'mirror',
      '--storage-root',
      `file://${server.dataDir}/elsewhere`,
      '--storage-profile',
      '{"type":"file"}',
      '--federation',
      federation,
    ];
    const refused = fails(await lakegate(...base, '--federation-secret', JSON.stringify({ 'client-secret': 'not-the-secret-123' })), 1);
    expect(refused).toMatch(/BadRequestException.*refused the client credentials/s);
    expect(refused).not.toContain('not-the-secret-123');
    const created = json(await lakegate(...base, '--federation-secret', JSON.stringify({ 'client-secret': secret }), '--json'));
    expect(created.federation).toMatchObject({ kind: 'iceberg-rest', uri: server.url, 'has-secret': true });
    const listed = ok(await lakegate('admin', 'warehouse', 'ls'));
    expect(listed).toContain(server.url);
    expect(listed).not.toContain(secret);
  });

  it("reads a Hive remote's CA bundle from --federation-tls-ca FILE into tls and tls-ca; its text is never printed", async () => {
    const base = ['admin', 'warehouse', 'create', 'hive-tls', '--storage-root', `file://${server.dataDir}/hive-tls`, '--storage-profile', '{"type":"file"}'];
    const federation = ['--federation', JSON.stringify({ kind: 'hive', uri: 'thrift://127.0.0.1:9', 'timeout-ms': 500 })];
    const notPem = path.join(config.dir, 'not-a-ca.pem');
    writeFileSync(notPem, 'private-looking-text-never-printed\n');
    expect(fails(await lakegate(...base, '--federation-tls-ca', notPem), 2)).toContain('--federation-tls-ca goes with --federation');
    expect(fails(await lakegate(...base, ...federation, '--federation-tls-ca', path.join(config.dir, 'missing.pem')), 2)).toMatch(/cannot read .*ENOENT/);
    // The file's text went as federation.tls-ca with tls true: the server's check names the setting, not the text.
    const refused = fails(await lakegate(...base, ...federation, '--federation-tls-ca', notPem), 1);
    expect(refused).toContain('federation.tls-ca must be one or more PEM certificates');
    expect(refused).not.toContain('private-looking-text-never-printed');
    expect(fails(await lakegate('admin', 'warehouse', 'federation', 'default', '--federation-tls-ca', notPem), 2)).toContain('not a federated warehouse');
  });

  it("reads a Hive remote's client certificate and key from files (mutual TLS); the key goes sealed and is never printed", async () => {
    const certs = path.join(config.dir, 'mtls');
    mkdirSync(certs);
    makeCertificates(certs);
    const pair = makeClientCertificate(certs, 'lakegate', 'ca');
    const other = makeClientCertificate(certs, 'other', 'ca');
    const files = (name: string, pem: string) => (writeFileSync(path.join(certs, name), pem), path.join(certs, name));
    const cert = files('client.pem', pair.cert);
    const otherKey = files('other.key', other.key);
    const base = ['admin', 'warehouse', 'create', 'hive-mtls', '--storage-root', `file://${server.dataDir}/hive-mtls`, '--storage-profile', '{"type":"file"}'];
    const federation = ['--federation', JSON.stringify({ kind: 'hive', uri: 'thrift://127.0.0.1:9', 'timeout-ms': 500, tls: true })];
    expect(fails(await lakegate(...base, '--federation-tls-client-cert', cert), 2)).toContain('--federation-tls-client-cert goes with --federation');
    // Both files went: the certificate as federation.tls-client-cert, the key as federation-secret.tls-client-key.
    const mismatch = fails(await lakegate(...base, ...federation, '--federation-tls-client-cert', cert, '--federation-tls-client-key', otherKey), 1);
    expect(mismatch).toContain('federation-secret.tls-client-key is not the private key of federation.tls-client-cert');
    expect(mismatch).not.toContain(other.key.split('\n')[1]!);
    // The right pair passes every check; the connection test (nothing listens on port 9) is what refuses it.
    const refused = fails(
      await lakegate(...base, ...federation, '--federation-tls-client-cert', cert, '--federation-tls-client-key', files('client.key', pair.key)),
      1,
    );
    expect(refused).toContain('connection failed (ECONNREFUSED)');
    expect(refused).not.toContain(pair.key.split('\n')[1]!);
  });

  it('has its remote tested with warehouse federation-status: ok exits 0, the remote refusing the credential exits 1 with its error', async () => {
    // The remote is this server again, reached as a principal of its own, which is then disabled there.
    const file = path.join(config.dir, 'remote.json');
    ok(await lakegate('admin', 'principal', 'create', 'remote-user', '--admin', '--credential-file', file));
    const [id, secret] = (JSON.parse(readFileSync(file, 'utf8')).credential as string).split(':') as [string, string];
    ok(
      await lakegate(
        'admin',
        'warehouse',
        'create',
        'mirror-status',
        '--storage-root',
        `file://${server.dataDir}/elsewhere-status`,
        '--storage-profile',
        '{"type":"file"}',
        '--federation',
        JSON.stringify({ kind: 'iceberg-rest', uri: server.url, warehouse: 'default', 'client-id': id }),
        '--federation-secret',
        JSON.stringify({ 'client-secret': secret }),
      ),
    );
    const passing = ok(await lakegate('admin', 'warehouse', 'federation-status', 'mirror-status'));
    expect(passing).toMatch(/warehouse\s+mirror-status/);
    expect(passing).toMatch(/status\s+ok/);
    expect(passing).not.toContain('error');
    expect(passing).toMatch(/last answered\s+\d{4}-\d\d-\d\dT/);
    expect(passing).toContain('recent failures: none recorded');
    expect(json(await lakegate('admin', 'warehouse', 'federation-status', 'mirror-status', '--json'))).toMatchObject({
      warehouse: 'mirror-status',
      kind: 'iceberg-rest',
      ok: true,
    });

    ok(await lakegate('admin', 'principal', 'disable', id));
    const failing = await lakegate('admin', 'warehouse', 'federation-status', 'mirror-status');
    expect(failing.code, failing.stderr).toBe(1);
    expect(failing.stdout).toMatch(/status\s+failed/);
    expect(failing.stdout).toMatch(/error\s+BadGatewayException 502: The remote catalog refused the client credentials/);
    expect(failing.stdout).not.toContain(secret);
    // The failed check is in the remote's failure history, printed newest first.
    expect(failing.stdout).toContain('recent failures (newest first):');
    expect(failing.stdout).toMatch(/check x1 {2}BadGatewayException 502: The remote catalog refused the client credentials/);
    const failingJson = await lakegate('admin', 'warehouse', 'federation-status', 'mirror-status', '--json');
    expect(failingJson.code).toBe(1);
    const answered = JSON.parse(failingJson.stdout);
    expect(answered).toMatchObject({ ok: false, error: { type: 'BadGatewayException', code: 502 } });
    expect(answered['recent-failures'][0]).toMatchObject({ operation: 'check', error: { type: 'BadGatewayException', code: 502 } });
    expect(typeof answered['last-answered-at-ms']).toBe('number');
    expect(failingJson.stdout).not.toContain(secret);

    // The whole history, a page at a time: a catalog call through the warehouse failed too (its own entry).
    const listed = await fetch(`${server.url}/v1/mirror-status/namespaces`, { headers: { authorization: `Bearer ${await server.token()}` } });
    expect(listed.status).toBe(502);
    const first = ok(await lakegate('admin', 'warehouse', 'federation-failures', 'mirror-status', '--page-size', '1'));
    expect(first).toContain('failures (newest first):');
    expect(first.split('\n').filter((l) => / x\d+ {2}BadGatewayException 502: /.test(l))).toHaveLength(1);
    const next = /next page: --page-token (\S+)/.exec(first)?.[1];
    expect(next, first).toBeDefined();
    const second = ok(await lakegate('admin', 'warehouse', 'federation-failures', 'mirror-status', '--page-size', '1', '--page-token', next!));
    expect(second).toMatch(/ x\d+ {2}BadGatewayException 502: /);
    const whole = json(await lakegate('admin', 'warehouse', 'federation-failures', 'mirror-status', '--json'));
    expect(whole.failures.map((f: { operation: string }) => f.operation).sort()).toEqual(['check', 'list-namespaces']);
    expect(whole['next-page-token']).toBeUndefined();
    expect(JSON.stringify(whole)).not.toContain(secret);
    expect(fails(await lakegate('admin', 'warehouse', 'federation-failures', 'mirror-status', '--page-size', '0'), 2)).toMatch(/page-size/);
    expect(fails(await lakegate('admin', 'warehouse', 'federation-failures', 'mirror-status', '--page-token', 'nope'), 1)).toMatch(/pageToken/);
    expect(fails(await asReader('admin', 'warehouse', 'federation-failures', 'mirror-status'), 1)).toMatch(/HTTP 403/);

    expect(fails(await lakegate('admin', 'warehouse', 'federation-status', 'default'), 1)).toMatch(/BadRequest/);
    expect(fails(await lakegate('admin', 'warehouse', 'federation-status', 'no-such-warehouse'), 1)).toMatch(/HTTP 404|NoSuch|not found/i);
    expect(fails(await asReader('admin', 'warehouse', 'federation-status', 'mirror-status'), 1)).toMatch(/HTTP 403/);
    expect(fails(await lakegate('admin', 'warehouse', 'federation-status'), 2)).toMatch(/NAME/);
  });
});
