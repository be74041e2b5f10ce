import { describe, expect, it } from 'vitest';
import { checkDefaults } from './defaults.js';
import { parseSchema } from './schema.js';

/** A schema of one optional column `c` of `type` whose initial default is `value`. */
const withDefault = (type: unknown, value: unknown) => parseSchema({ type: 'struct', fields: [{ id: 1, name: 'c', required: false, type, 'initial-default': value, 'write-default': value }] });

describe('checkDefaults', () => {
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
    ['date', '2017-11-16'],
    ['time', '22:31:08.123456'],
    ['timestamp', '2017-11-16T22:31:08.123456'],
    ['timestamptz', '2017-11-16T22:31:08.123456+00:00'],
    ['timestamptz_ns', '2017-11-16T22:31:08.123456789Z'],
    ['string', 'iceberg'],
    ['uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7'],
    ['fixed[4]', '000102ff'],
    ['binary', ''],
    [{ type: 'list', 'element-id': 2, element: 'int', 'element-required': false }, [1, null, 3]],
    [{ type: 'map', 'key-id': 2, key: 'string', 'value-id': 3, value: 'long', 'value-required': false }, { keys: ['a', 'b'], values: [1, null] }],
    [{ type: 'struct', fields: [{ id: 2, name: 'x', required: false, type: 'int' }, { id: 3, name: 'y', required: false, type: 'string' }] }, { '2': 1 }],
  ])('takes a %s default of the spec’s JSON form (%#)', (type, value) => {
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
    ['date', '16/11/2017', 'expected an ISO date string'],
    ['timestamp', '2017-11-16T22:31:08+01:00', 'without offset'],
    ['timestamptz', '2017-11-16T22:31:08', 'with offset'],
    ['uuid', 'not-a-uuid', 'expected a UUID string'],
    ['fixed[4]', '0001', 'expected 4 bytes in hexadecimal'],
    ['binary', 'xyz', 'expected a hexadecimal string'],
    ['string', 5, 'expected a JSON string'],
    ['unknown', 'x', 'takes no default but null'],
    [{ type: 'list', 'element-id': 2, element: 'int', 'element-required': false }, [1, 'two'], 'element: expected a 32-bit integer'],
    [{ type: 'map', 'key-id': 2, key: 'string', 'value-id': 3, value: 'long', 'value-required': false }, { keys: ['a'], values: [] }, 'of equal length'],
    [{ type: 'struct', fields: [{ id: 2, name: 'x', required: false, type: 'int' }] }, { '2': 'one' }, 'field 2: expected a 32-bit integer'],
  ])('refuses a %s default of another form (%#)', (type, value, message) => {
    expect(() => checkDefaults(withDefault(type, value))).toThrowError(expect.objectContaining({ code: 'ERR_VALIDATION', message: expect.stringContaining(message) }));
  });

  it('checks the defaults of nested fields too, and names the field', () => {
    const schema = parseSchema({
      type: 'struct',
      fields: [{ id: 1, name: 's', required: false, type: { type: 'struct', fields: [{ id: 2, name: 'n', required: false, type: 'long', 'write-default': 'x' }] } }],
    });
    expect(() => checkDefaults(schema)).toThrow('Invalid write-default of schema.s.n: expected a 64-bit integer for type long');
  });
});
