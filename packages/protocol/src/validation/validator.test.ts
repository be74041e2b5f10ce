import { isInteger, isSafeNumber, parse } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { INT64_MAX, INT64_MIN } from '../schema/int64.js';
import { RequestValidation, formatIssue } from './validator.js';

// The server's parser (packages/server/src/catalog/json.ts): integers beyond 2^53 become bigint.
const parseJson = (text: string): unknown => parse(text, null, (t: string) => (isInteger(t) && !isSafeNumber(t) ? BigInt(t) : Number(t)));

const validation = new RequestValidation();
const tablePath = { prefix: 'lake', namespace: 'db', table: 't' };
const commit = (body: string) => validation.validate('updateTable', { params: tablePath, body: parseJson(body) });

const snapshot = (id: string, parent?: string) =>
  `{"snapshot-id":${id},${parent ? `"parent-snapshot-id":${parent},` : ''}"timestamp-ms":1700000000000,"manifest-list":"s3://b/m.avro","summary":{"operation":"append","added-files":"1"}}`;

describe('int64 fields', () => {
  it('accept a 63-bit snapshot id and int64-min as the bigints lossless-json makes of them', () => {
    const text = `{"requirements":[{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":${INT64_MIN}}],"updates":[{"action":"add-snapshot","snapshot":${snapshot(String(INT64_MAX), String(INT64_MIN))}},{"action":"remove-snapshots","snapshot-ids":[${INT64_MIN},1]}]}`;
    const body = parseJson(text) as { updates: Array<{ snapshot?: Record<string, unknown> }> };
    expect(body.updates[0]!.snapshot!['snapshot-id']).toBe(INT64_MAX);
    expect(body.updates[0]!.snapshot!['parent-snapshot-id']).toBe(INT64_MIN);
    expect(validation.validate('updateTable', { params: tablePath, body })).toEqual([]);
  });

  it('accept safe integers as numbers and null where the contract allows it', () => {
    expect(
      commit(
        `{"requirements":[{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null}],"updates":[{"action":"add-snapshot","snapshot":${snapshot('42', '-1')}}]}`,
      ),
    ).toEqual([]);
  });

  it('refuse 2^63, below int64-min, a rounded double and a fraction, naming the field', () => {
    for (const id of [`${INT64_MAX + 1n}`, `${INT64_MIN - 1n}`, '1.5']) {
      const issues = commit(`{"updates":[{"action":"add-snapshot","snapshot":${snapshot(id)}}]}`);
      expect(issues.map(formatIssue)).toEqual(['body/updates/0/snapshot/snapshot-id must be an integer within the int64 range']);
    }
    // 2^60 parsed by JSON.parse: a number beyond 2^53 was already rounded by whoever parsed it.
    const rounded = { updates: [{ action: 'remove-snapshots', 'snapshot-ids': [2 ** 60] }] };
    expect(validation.validate('updateTable', { params: tablePath, body: rounded }).map(formatIssue)).toEqual([
      'body/updates/0/snapshot-ids/0 must be an integer within the int64 range',
    ]);
  });

  it('refuse a string where an int64 is expected (bodies are never coerced)', () => {
    expect(commit(`{"updates":[{"action":"remove-statistics","snapshot-id":"12"}]}`).map(formatIssue)).toEqual([
      'body/updates/0/snapshot-id must be an integer within the int64 range',
    ]);
  });
});

describe('request bodies', () => {
  it('name the one problem of a tagged union member, and an unknown tag', () => {
    expect(commit('{"updates":[{"action":"set-properties","updates":{"a":1}}]}').map(formatIssue)).toEqual(['body/updates/0/updates/a must be string']);
    expect(commit('{"updates":[{"action":"drop-everything"}]}').map(formatIssue)).toEqual(['body/updates/0/action is not one this server knows']);
    expect(commit('{"requirements":[{"type":7}],"updates":[]}').map(formatIssue)).toEqual(['body/requirements/0/type must be a string']);
    expect(commit('{"updates":[{"uuid":"x"}]}').map(formatIssue)).toEqual(['body/updates/0/action is required']);
  });

  it('validate nested schemas through references (recursive types included)', () => {
    const create = (type: string) =>
      validation.validate('createTable', {
        params: { prefix: 'lake', namespace: 'db' },
        body: { name: 't', schema: { type: 'struct', fields: [{ id: 1, name: 'm', required: false, type: JSON.parse(type) }] } },
      });
    expect(
      create(
        '{"type":"map","key-id":2,"key":"string","value-id":3,"value":{"type":"list","element-id":4,"element":"long","element-required":true},"value-required":false}',
      ),
    ).toEqual([]);
    expect(create('{"type":"list","element-id":4,"element":7,"element-required":true}')).not.toEqual([]);
  });

  it('require identifiers in a transaction but not in a single commit', () => {
    const body = { 'table-changes': [{ updates: [] }] };
    expect(validation.validate('commitTransaction', { params: { prefix: 'lake' }, body }).map(formatIssue)).toEqual([
      'body/table-changes/0/identifier is required',
    ]);
    expect(commit('{"updates":[]}')).toEqual([]);
  });

  it('treat an absent Lance body as {} and refuse a missing required Iceberg body', () => {
    expect(validation.validate('lanceDescribeNamespace', { params: { prefix: 'lake', id: '$' } })).toEqual([]);
    expect(validation.validate('createNamespace', { params: { prefix: 'lake' } }).map(formatIssue)).toEqual(['body must be object']);
  });
});

describe('query and path parameters', () => {
  it('coerce integers and booleans (True/False as PyIceberg sends them)', () => {
    const query: Record<string, unknown> = { pageSize: '10', pageToken: '' };
    expect(validation.validate('listTables', { params: { prefix: 'lake', namespace: 'db' }, query })).toEqual([]);
    expect(query['pageSize']).toBe(10);
    const drop: Record<string, unknown> = { purgeRequested: 'True' };
    expect(validation.validate('dropTable', { params: tablePath, query: drop })).toEqual([]);
    expect(drop['purgeRequested']).toBe(true);
  });

  it('refuse wrong types and repeated parameters', () => {
    const list = (query: Record<string, unknown>) => validation.validate('listTables', { params: { prefix: 'lake', namespace: 'db' }, query }).map(formatIssue);
    expect(list({ pageSize: 'ten' })).toEqual(['query/pageSize must be a decimal integer']);
    // ajv alone coerces with JavaScript's +value: hexadecimal, exponents, blanks, fractions and 1e20 passed as integers.
    for (const form of ['0x10', '1e3', ' 7', '7 ', '+7', '10.0', '0b11', '0o7', 'Infinity', '٣'])
      expect(list({ pageSize: form }), form).toEqual(['query/pageSize must be a decimal integer']);
    for (const big of ['99999999999999999999', '9007199254740993', '1'.repeat(5000)])
      expect(list({ pageSize: big })).toEqual([`query/pageSize must be an integer within ±${Number.MAX_SAFE_INTEGER}`]);
    expect(list({ pageSize: '007' })).toEqual([]);
    expect(list({ pageSize: '0' })).toEqual(['query/pageSize must be >= 1']);
    expect(list({ pageToken: ['a', 'b'] })).toEqual(['query/pageToken is given more than once']);
    expect(validation.validate('dropTable', { params: tablePath, query: { purgeRequested: 'maybe' } }).map(formatIssue)).toEqual([
      'query/purgeRequested must be boolean',
    ]);
    expect(validation.validate('loadTable', { params: tablePath, query: { snapshots: 'some' } }).map(formatIssue)).toEqual([
      'query/snapshots must be equal to one of the allowed values',
    ]);
  });

  it('check the Lance delimiter', () => {
    const describeNs = (delimiter: string) =>
      validation.validate('lanceDescribeNamespace', { params: { prefix: 'lake', id: 'a.b' }, query: { delimiter }, body: {} }).map(formatIssue);
    expect(describeNs('.')).toEqual([]);
    expect(describeNs('')).toEqual(['query/delimiter must NOT have fewer than 1 characters']);
    expect(describeNs('123456789')).toEqual(['query/delimiter must NOT have more than 8 characters']);
  });
});

describe('null: refused unless the contract marks the property nullable or null-means-absent', () => {
  const create = (body: Record<string, unknown>) => validation.validate('createTable', { params: { prefix: 'lake', namespace: 'db' }, body });
  const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: false }] };

  it("the fields Iceberg Java writes as null when unset (CreateTableRequest's location, partition-spec, write-order) validate and are removed", () => {
    const body: Record<string, unknown> = { name: 't', schema, location: null, 'partition-spec': null, 'write-order': null };
    expect(create(body)).toEqual([]);
    expect(body).toEqual({ name: 't', schema });
  });

  it('a null-means-absent field that is given is checked as its schema', () => {
    expect(create({ name: 't', schema, location: 7 }).map(formatIssue)).toEqual([expect.stringMatching(/^body\/location /)]);
  });

  it('null for any other optional property is refused, naming it', () => {
    expect(create({ name: 't', schema, 'stage-create': null }).map(formatIssue)).toEqual([expect.stringMatching(/^body\/stage-create /)]);
    expect(create({ name: 't', schema, properties: null }).map(formatIssue)).toEqual([expect.stringMatching(/^body\/properties /)]);
  });

  it('a required property given as null is refused, naming it', () => {
    expect(create({ name: null, schema }).map(formatIssue)).toEqual([expect.stringMatching(/^body\/name /)]);
  });

  it('a nullable property keeps its null', () => {
    const body = { requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }], updates: [] };
    expect(validation.validate('updateTable', { params: tablePath, body })).toEqual([]);
    expect(body.requirements[0]).toHaveProperty('snapshot-id', null);
  });
});
