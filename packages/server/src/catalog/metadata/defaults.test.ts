import { describe, expect, it } from 'vitest';
import { stringifyJson } from '../json.js';
import { checkDefaults } from './defaults.js';
import { parseSchema } from './schema.js';

/** A schema of one optional column `c` of `type` whose initial and write defaults are `value`. */
const withDefault = (type: unknown, value: unknown) =>
  parseSchema({ type: 'struct', fields: [{ id: 1, name: 'c', required: false, type, 'initial-default': value, 'write-default': value }] });

const LIST = { type: 'list', 'element-id': 2, element: 'int', 'element-required': false };
const MAP = { type: 'map', 'key-id': 2, key: 'string', 'value-id': 3, value: 'long', 'value-required': false };
const STRUCT = { type: 'struct', fields: [{ id: 2, name: 'x', required: false, type: 'int' }] };

describe('checkDefaults: the forms Iceberg Java reads (SingleValueParser)', () => {
  it.each([
    ['boolean', true],
    ['int', -2147483648],
    ['long', 9223372036854775807n],
    ['long', 34],
    ['float', 1.5],
    ['double', 3],
    ['decimal(9, 2)', '14.20'],
    ['decimal(9, 2)', '-0.05'],
    ['decimal(9, 7)', '1E-7'],
    ['decimal(9, 0)', '42'],
    ['decimal(9, 1)', '.5'],
    ['decimal(9, 0)', '5.'],
    ['date', '2017-11-16'],
    ['date', '2024-02-29'],
    ['date', '+10000-01-01'],
    ['time', '22:31:08.123456'],
    ['time', '23:59'],
    ['timestamp', '2017-11-16T22:31:08.123456'],
    ['timestamptz', '2017-11-16T22:31:08.123456+00:00'],
    ['timestamptz', '2017-11-16T22:31:08-00:00'],
    ['timestamptz_ns', '2017-11-16T22:31:08.123456789Z'],
    ['string', 'iceberg'],
    ['uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7'],
    ['fixed[4]', '000102ff'],
    ['binary', ''],
  ])('takes a %s default %s (%#)', (type, value) => {
    expect(() => checkDefaults(withDefault(type, value))).not.toThrow();
  });

  it.each([
    ['long', 'notanumber', 'expected a 64-bit integer'],
    ['int', 2147483648, 'expected a 32-bit integer'],
    ['int', 1.5, 'expected a 32-bit integer'],
    ['boolean', 'true', 'expected true or false'],
    ['double', '1.0', 'expected a JSON number'],
    ['decimal(9, 2)', 14.2, 'expected a decimal string'],
    ['decimal(9, 2)', '14.2', 'scale 1 differs'],
    ['decimal(9, 2)', '1.2.3', 'expected a decimal string'],
    ['date', '16/11/2017', 'expected an ISO date string'],
    ['date', '2017-13-01', 'expected an ISO date string'],
    ['date', '2023-02-29', 'expected an ISO date string'],
    ['date', '2017-04-31', 'expected an ISO date string'],
    ['date', '10000-01-01', 'expected an ISO date string'],
    ['time', '24:00', 'expected an ISO time string'],
    ['time', '12:60:00', 'expected an ISO time string'],
    ['timestamp', '2024-13-45T99:00:00', 'without offset'],
    ['timestamp', '2017-11-16T22:31:08+01:00', 'without offset'],
    ['timestamptz', '2017-11-16T22:31:08', 'in UTC'],
    ['timestamptz', '2017-11-16T22:31:08+01:00', 'in UTC'],
    ['timestamptz_ns', '2017-11-31T22:31:08Z', 'in UTC'],
    ['uuid', 'not-a-uuid', 'expected a UUID string'],
    ['fixed[4]', '0001', 'expected 4 bytes in hexadecimal'],
    ['binary', 'xyz', 'expected a hexadecimal string'],
    ['string', 5, 'expected a JSON string'],
    ['unknown', 'x', 'takes no default but null'],
    [LIST, [1, 2], 'a list field takes no default but null'],
    [MAP, { keys: ['a'], values: [1] }, 'a map field takes no default but null'],
    [STRUCT, { '2': 1 }, 'a struct field takes no default but null'],
    [STRUCT, {}, 'a struct field takes no default but null'],
  ])('refuses a %s default %s (%#)', (type, value, message) => {
    expect(() => checkDefaults(withDefault(type, value))).toThrowError(
      expect.objectContaining({ code: 'ERR_VALIDATION', message: expect.stringContaining(message) }),
    );
  });

  it('checks the defaults of fields in nested structs, list elements and map values, and names the field', () => {
    const nested = (type: unknown) => parseSchema({ type: 'struct', fields: [{ id: 1, name: 's', required: false, type }] });
    const struct = { type: 'struct', fields: [{ id: 10, name: 'n', required: false, type: 'long', 'write-default': 'x' }] };
    expect(() => checkDefaults(nested(struct))).toThrow('Invalid write-default of schema.s.n: expected a 64-bit integer for type long');
    expect(() => checkDefaults(nested({ type: 'list', 'element-id': 2, element: struct, 'element-required': false }))).toThrow('schema.s.element.n');
    expect(() => checkDefaults(nested({ type: 'map', 'key-id': 2, key: 'string', 'value-id': 3, value: struct, 'value-required': false }))).toThrow(
      'schema.s.value.n',
    );
  });

  it('writes float and double defaults as JSON floating-point numbers, whatever form they came in', () => {
    const fields = ['double', 'float'].flatMap((type, i) =>
      [1, 2.5, -3, 10n ** 21n].map((value, j) => ({ id: 10 * i + j + 1, name: `${type}${j}`, required: false, type, 'initial-default': value })),
    );
    const text = stringifyJson(parseSchema({ type: 'struct', fields }));
    expect([...text.matchAll(/"initial-default":([^,}]+)/g)].map((m) => m[1])).toEqual(['1.0', '2.5', '-3.0', '1e+21', '1.0', '2.5', '-3.0', '1e+21']);
    // Read back from a stored file, they stay floating-point numbers.
    expect(stringifyJson(parseSchema(JSON.parse(text)))).toBe(text);
  });
});

describe('the type unknown', () => {
  it.each([
    [{ id: 1, name: 'c', required: true, type: 'unknown' }, 'schema.fields[0]'],
    [{ id: 1, name: 'c', required: false, type: { type: 'list', 'element-id': 2, element: 'unknown', 'element-required': true } }, 'element'],
    [{ id: 1, name: 'c', required: false, type: { type: 'map', 'key-id': 2, key: 'unknown', 'value-id': 3, value: 'int', 'value-required': false } }, 'key'],
    [{ id: 1, name: 'c', required: false, type: { type: 'map', 'key-id': 2, key: 'int', 'value-id': 3, value: 'unknown', 'value-required': true } }, 'value'],
  ])('must be optional wherever it appears (%#)', (field, where) => {
    expect(() => parseSchema({ type: 'struct', fields: [field] })).toThrowError(
      expect.objectContaining({ code: 'ERR_VALIDATION', message: expect.stringContaining(where) }),
    );
  });

  it('is taken where optional', () => {
    expect(() =>
      parseSchema({
        type: 'struct',
        fields: [
          { id: 1, name: 'a', required: false, type: 'unknown' },
          { id: 2, name: 'b', required: false, type: { type: 'list', 'element-id': 3, element: 'unknown', 'element-required': false } },
          { id: 4, name: 'c', required: false, type: { type: 'map', 'key-id': 5, key: 'int', 'value-id': 6, value: 'unknown', 'value-required': false } },
        ],
      }),
    ).not.toThrow();
  });
});
