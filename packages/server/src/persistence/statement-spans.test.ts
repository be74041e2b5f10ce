import { describe, expect, it } from 'vitest';
import { describeStatement } from './statement-spans.js';

describe('describeStatement', () => {
  it('names a statement by its operation and first table only', () => {
    expect(describeStatement('select "id" from "tables" where "warehouse" = ? and "name" = ?')).toEqual({ operation: 'SELECT', table: 'tables' });
    expect(describeStatement('insert into "audit_events" ("a") values (?)')).toEqual({ operation: 'INSERT', table: 'audit_events' });
    expect(describeStatement('update "objects" set "metadata" = $1 where "id" = $2')).toEqual({ operation: 'UPDATE', table: 'objects' });
    expect(describeStatement('begin immediate')).toEqual({ operation: 'BEGIN', table: undefined });
  });

  it('never takes a literal or an unknown keyword for a name', () => {
    expect(describeStatement("select * from 'secret-literal'")).toEqual({ operation: 'SELECT', table: undefined });
    expect(describeStatement('vacuum')).toEqual({ operation: 'OTHER', table: undefined });
  });
});
