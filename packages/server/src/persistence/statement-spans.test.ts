import { describe, expect, it } from 'vitest';
import { describeStatement } from './statement-spans.js';

describe('describeStatement', () => {
  it('names a statement by its operation and first table only', () => {
    expect(describeStatement('select "id" from "tables" where "warehouse" = ? and "name" = ?')).toEqual({ operation: 'SELECT', table: 'tables' });
    expect(describeStatement('insert into "audit_events" ("a") values (?)')).toEqual({ operation: 'INSERT', table: 'audit_events' });
    expect(describeStatement('update "objects" set "metadata" = $1 where "id" = $2')).toEqual({ operation: 'UPDATE', table: 'objects' });
    expect(describeStatement('begin immediate')).toEqual({ operation: 'BEGIN', table: undefined });
    // A subquery in the select list does not name the statement: the table it reads from does.
    expect(
      describeStatement(
        'select "id", (select "labels" from "object_labels" where "object_id" = "catalog_objects"."id") as "labels" from "catalog_objects" where "name" = ?',
      ),
    ).toEqual({ operation: 'SELECT', table: 'catalog_objects' });
    expect(describeStatement('select * from (select "id" from "grants") as q')).toEqual({ operation: 'SELECT', table: 'grants' });
  });

  it('never takes a literal or an unknown keyword for a name', () => {
    expect(describeStatement("select * from 'secret-literal'")).toEqual({ operation: 'SELECT', table: undefined });
    expect(describeStatement('vacuum')).toEqual({ operation: 'OTHER', table: undefined });
  });
});
