/** The CLI's pure helpers: identifier syntax, secret masking, JSON output with 64-bit ids, column specs. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../packages/cli/src/cli/errors.js';
import { formatLevels, parseLevels, parseObjectIdentifier } from '../../packages/cli/src/cli/identifiers.js';
import { Output, table, toJson } from '../../packages/cli/src/cli/output.js';
import { schemaFromColumns } from '../../packages/cli/src/cli/schema.js';
import { isSecretKey, maskProperties } from '../../packages/cli/src/cli/secrets.js';
import {
  describeMember,
  formatSecurable,
  grantArguments,
  memberOf,
  parsePrivileges,
  parseSecurable,
  subjectOf,
} from '../../packages/cli/src/cli/securables.js';

describe('identifiers', () => {
  it('splits at dots and honours double quotes', () => {
    expect(parseLevels('db.sales.t')).toEqual(['db', 'sales', 't']);
    expect(parseLevels('db."2024.q1".t')).toEqual(['db', '2024.q1', 't']);
    expect(parseLevels('"say ""hi"""')).toEqual(['say "hi"']);
    expect(parseObjectIdentifier('a.b.t', undefined)).toEqual({ namespace: ['a', 'b'], name: 't' });
    expect(parseObjectIdentifier('t.with.dots', 'a.b')).toEqual({ namespace: ['a', 'b'], name: 't.with.dots' });
  });

  it('round-trips through formatLevels', () => {
    for (const levels of [['a'], ['a', 'b.c'], ['x"y', 'z'], [' padded ']]) expect(parseLevels(formatLevels(levels))).toEqual(levels);
  });

  it('rejects malformed identifiers as usage errors', () => {
    for (const bad of ['', 'a.', '.a', 'a..b', '"open', '"a"b', 'a"b']) expect(() => parseLevels(bad), bad).toThrow(UsageError);
    expect(() => parseObjectIdentifier('t', undefined)).toThrow(/needs a namespace/);
  });
});

describe('secrets', () => {
  it('knows secret keys and keeps the client id of a credential', () => {
    for (const k of [
      'credential',
      'token',
      'rest.auth.api-key',
      's3.secret-access-key',
      's3.session-token',
      'adls.sas-token.acct.dfs.core.windows.net',
      'gcs.oauth2.token',
      'header.Authorization',
    ])
      expect(isSecretKey(k), k).toBe(true);
    for (const k of [
      'uri',
      'scope',
      'warehouse',
      'oauth2-server-uri',
      's3.session-token-expires-at-ms',
      'gcs.oauth2.token-expires-at',
      's3.endpoint',
      'rest.signing-region',
    ])
      expect(isSecretKey(k), k).toBe(false);
    expect(maskProperties({ credential: 'id:s3cret', token: 'abc', scope: 'catalog' })).toEqual({ credential: 'id:***', token: '***', scope: 'catalog' });
  });
});

describe('output', () => {
  it('writes bigint ids as exact digits', () => {
    expect(toJson({ id: 9007199254740993n, n: 1 })).toBe('{\n  "id": 9007199254740993,\n  "n": 1\n}');
  });

  it('shows progress on stderr only when it is a terminal, and only for slow work', async () => {
    const writes: string[] = [];
    const sink = (isTTY: boolean) => ({ isTTY, write: (s: string) => writes.push(s) });
    const slow = () => new Promise((r) => setTimeout(r, 500));
    await new Output({ json: false, stdout: sink(false), stderr: sink(false) }).progress('slow', slow);
    expect(writes).toEqual([]);
    await new Output({ json: false, stdout: sink(false), stderr: sink(true) }).progress('fast', async () => 1);
    expect(writes).toEqual([]);
    await new Output({ json: true, stdout: sink(false), stderr: sink(true) }).progress('slow', slow);
    expect(writes[0]).toMatch(/^\r. slow…$/);
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });

  it('aligns columns', () => {
    expect(
      table(
        [
          { name: 'a', n: 10 },
          { name: 'long-name', n: 2 },
        ],
        ['name', 'n'],
      ),
    ).toBe('NAME       N\na          10\nlong-name  2');
  });
});

describe('column specs', () => {
  it('builds a schema with ids in order and required flags', () => {
    expect(schemaFromColumns(['id:long:required', 'amount:decimal(10, 2)', 'a:b:string']).fields).toEqual([
      { id: 1, name: 'id', type: 'long', required: true },
      { id: 2, name: 'amount', type: 'decimal(10,2)', required: false },
      { id: 3, name: 'a:b', type: 'string', required: false },
    ]);
    expect(() => schemaFromColumns(['id:integer'])).toThrow(/unknown column type/);
    expect(() => schemaFromColumns(['id:long', 'id:int'])).toThrow(/duplicate/);
    expect(() => schemaFromColumns([])).toThrow(UsageError);
  });
});

describe('securables, privileges and members', () => {
  it('reads TYPE:IDENTIFIER with the identifier rules and writes it back', () => {
    expect(parseSecurable('warehouse:lake')).toEqual({ type: 'warehouse', warehouse: 'lake' });
    expect(parseSecurable('NAMESPACE:lake.sales.eu')).toEqual({ type: 'namespace', warehouse: 'lake', namespace: ['sales', 'eu'] });
    expect(parseSecurable('table:lake."2024.q1".orders')).toEqual({ type: 'table', warehouse: 'lake', namespace: ['2024.q1'], name: 'orders' });
    expect(parseSecurable('view:"my.lake".a.b.v')).toEqual({ type: 'view', warehouse: 'my.lake', namespace: ['a', 'b'], name: 'v' });
    for (const text of ['warehouse:"a.b"', 'namespace:lake.sales', 'table:lake."2024.q1".orders', 'view:lake.a."x""y".v'])
      expect(formatSecurable(parseSecurable(text))).toBe(text);
    for (const bad of ['lake', ':lake', 'schema:lake.s', 'warehouse:a.b', 'namespace:lake', 'table:lake.t', 'view:lake.v', 'table:lake..t', 'table:'])
      expect(() => parseSecurable(bad), bad).toThrow(UsageError);
  });

  it('reads privilege lists and the grant grammar', () => {
    expect(parsePrivileges('table:list, table:read-data,table:list')).toEqual(['table:list', 'table:read-data']);
    expect(() => parsePrivileges('table:list,,x')).toThrow(/empty privilege/);
    expect(grantArguments(['table:list', 'on', 'warehouse:w', 'to', 'r'], 'TO')).toEqual({
      privileges: ['table:list'],
      securable: { type: 'warehouse', warehouse: 'w' },
      role: 'r',
    });
    expect(() => grantArguments(['table:list', 'ON', 'warehouse:w', 'TO', 'r'], 'FROM')).toThrow(/"FROM" is missing/);
    expect(() => grantArguments(['table:list', 'ON', 'warehouse:w'], 'TO')).toThrow(/got 3 arguments/);
  });

  it('names one member, or an explain subject with its groups', () => {
    expect(memberOf({ principal: 'id' })).toEqual({ kind: 'principal', name: 'id' });
    expect(memberOf({ group: ['g'], issuer: 'https://idp' })).toEqual({ kind: 'group', name: 'g', issuer: 'https://idp' });
    expect(memberOf({ user: 'u', issuer: 'asserted' })).toEqual({ kind: 'user', name: 'u', issuer: 'asserted' });
    expect(subjectOf({ user: 'u', group: ['a', 'b'], issuer: 'asserted' })).toEqual({ kind: 'user', name: 'u', issuer: 'asserted', groups: ['a', 'b'] });
    expect(() => memberOf({ user: 'u', group: ['g'], issuer: 'asserted' })).toThrow(/not both/);
    expect(() => subjectOf({ group: ['a', 'b'], issuer: 'asserted' })).toThrow(/name one group/);
    expect(() => subjectOf({ principal: 'p', group: ['g'] })).toThrow(/client id alone/);
    expect(() => subjectOf({})).toThrow(/no member given/);
    expect(describeMember({ kind: 'user', name: 'u', issuer: 'asserted' })).toBe('user u (asserted)');
  });
});
