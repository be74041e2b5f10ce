/**
 * The Lance library's errors, as LanceDB 0.39 raised them for bad expressions, bad SQL and a dataset whose files are
 * gone (the messages below are its own, captured from addColumns and queries): the request's are a 400 with a reason
 * cleaned of source locations and cause chains, storage's stay a 503.
 */
import { describe, expect, it } from 'vitest';
import { causedByRequest, cleanReason, libraryFailure } from './library-errors.js';

const at = '/usr/local/cargo/registry/src/index.crates.io-1949cf8c6b5b557f/lance-12.0.0/src/dataset/schema_evolution.rs:328:41';
const lib = (message: string) => Object.assign(new Error(message), { code: 'GenericFailure' });
const request = {
  parse: 'Invalid input, Error parsing statement: SELECT id +* 2 FROM t (sql parser error: Expected: an expression, found: *)',
  unknownColumn: 'Invalid input, Schema error: No field named nope. Valid fields are id, s, n.',
  literal: 'Invalid input, Received literal Utf8("abc") and could not convert to literal of type \'Float64\'',
  unknownFunction: "Invalid input, Error parsing function: Error during planning: Invalid function 'no_such_fn'.\nDid you mean 'to_char'?",
  cast: `lance error: LanceError(Arrow): Cast error: Cannot cast string 'x' to value of Int32 type, ${at}  Caused by: LanceError(Arrow): Cast error: Cannot cast string 'x' to value of Int32 type, ${at}`,
  divide: `lance error: LanceError(Arrow): Divide by zero error, ${at}  Caused by: LanceError(Arrow): Divide by zero error, ${at}`,
  narrow: `lance error: LanceError(Arrow): Cast error: Can't cast value 200.0 to type Int8, ${at}`,
  timestamp: `lance error: LanceError(Arrow): Parser error: Error parsing timestamp from '1': timestamp must contain at least 10 characters, ${at}`,
  aggregate: 'lance error: Not supported: This feature is not implemented: Physical plan does not support logical expression AggregateFunction(…)',
  subquery: "Invalid input, Expression '(SELECT 1)' is not supported SQL in lance",
  streamed: "Failed to execute query stream: GenericFailure, Invalid input, Expression 'CASE WHEN n = 0 THEN NULL ELSE n END' is unsupported",
  regex: 'regex parse error:\n    (\n    ^\nerror: unclosed group',
  nonNullable:
    "Arrow error: Invalid argument error: Column 'id' is declared as non-nullable but contains null values  Caused by: Invalid argument error: Column 'id' is declared as non-nullable but contains null values",
  nullField: 'Invalid input, The field `n` contained null values even though the field is marked non-null in the schema',
  trial: `Failed to get next batch from stream: lance error: LanceError(Arrow): Cast error: Cannot cast string 'x' to value of Int32 type, ${at}`,
  // CreateTable with a LargeUtf8 column (LanceDB's Node side); a policy's read of a table with a Null column (was 503).
  sanitize: 'Unable to sanitize type for field: c due to error: Error: Unrecognized type id in schema: 20',
  largeList: 'Unrecognized type: "LargeList" (21)',
  nullSort: 'sorting a column of type Null is not supported yet',
};
const storage = {
  gone: 'lance error: LanceError(IO): Generic N/A error: Wrapped error: Not found: Wrapped error: Not found: /tmp/t.lance/data/0a.lance, /rustc/2d81/library/core/src/result.rs:1896:29',
  read: 'Failed to get next batch from stream: lance error: LanceError(IO): Generic N/A error: Wrapped error: Not found: /tmp/t.lance/data/0b.lance',
  s3: 'lance error: LanceError(IO): Generic S3 error: Error performing GET http://127.0.0.1:9000/b/t.lance/_versions/1.manifest in 1.2s: connection refused',
  arrowIo: 'lance error: LanceError(Arrow): Io error: unexpected end of file',
  unknown: 'something the library never said before',
};

describe('Lance library errors', () => {
  it.each(Object.entries(request))('%s is the caller’s (400)', (_, message) => {
    expect(causedByRequest(lib(message))).toBe(true);
    const error = libraryFailure('AlterTableAddColumns', lib(message));
    expect(error.code).toBe('ERR_VALIDATION');
    expect(error.message).not.toMatch(/\.rs:\d|\/usr\/|cargo|Caused by|LanceError\(|lance error:|\n/);
  });

  it.each(Object.entries(storage))('%s is the service’s (503)', (_, message) => {
    expect(causedByRequest(lib(message))).toBe(false);
    expect(libraryFailure('AlterTableAddColumns', lib(message)).code).toBe('ERR_UNAVAILABLE');
  });

  it('keeps the reason and drops the layers, locations and cause chain', () => {
    expect(cleanReason(lib(request.cast))).toBe("Cast error: Cannot cast string 'x' to value of Int32 type");
    expect(cleanReason(lib(request.divide))).toBe('Divide by zero error');
    expect(cleanReason(lib(request.nonNullable))).toBe("Arrow error: Invalid argument error: Column 'id' is declared as non-nullable but contains null values");
    expect(cleanReason(lib(request.trial))).toBe("Cast error: Cannot cast string 'x' to value of Int32 type");
    expect(cleanReason(lib(request.streamed))).toBe("Invalid input, Expression 'CASE WHEN n = 0 THEN NULL ELSE n END' is unsupported");
    expect(cleanReason(lib(request.regex))).toBe('regex parse error: ( ^ error: unclosed group');
    expect(cleanReason(lib('401 from http://x: Bearer abc.def'))).toBe('401 from http://x: Bearer …');
  });
});
