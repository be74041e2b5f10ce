/**
 * Null is not absent (issue 52): for every operation of the contract with a JSON body, on every surface, a null
 * in a field the contract does not let be null is a 400 in that surface's error model naming the field, never
 * the default the field's absence would get (a `"dry-run": null` once ran a maintenance job for real). The
 * requests are generated from the schemas (test/support/schema-example.ts): a new operation or field is covered
 * when it is added. The only fields where null stands for absent are the ones real clients send as null
 * (NullMeansAbsent in the protocol: Iceberg Java's CreateTableRequest location, partition-spec, write-order).
 */
import { describe, expect, it } from 'vitest';
import { RequestValidation } from '@lakegate/protocol/validation';
import { catalogForFile } from '../support/file-catalog.js';
import { example, withAt } from '../support/schema-example.js';
import { JSON_BODY_OPERATIONS as jsonBodies, envelopeIssues, messageOf, pathOf } from '../support/contract-walk.js';

const file = catalogForFile();
const send = file.send;

const validation = new RequestValidation();

describe('a null in a field that may not be null', () => {
  it('the generated bodies are valid requests (else the walk below proves nothing)', () => {
    const invalid = jsonBodies
      .map((op) => ({
        op: op.operationId,
        issues: validation.validate(op, { params: example(op.params ?? { type: 'object' }).value as never, body: example(op.body!.schema).value }),
      }))
      .filter((r) => r.issues.length > 0);
    expect(invalid).toEqual([]);
  });

  it('is a 400 in the surface envelope naming the field, on every operation with a JSON body', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const op of jsonBodies) {
      const body = example(op.body!.schema);
      for (const field of body.fields.filter((f) => !f.nullAllowed)) {
        const res = await send(op.method, pathOf(op), withAt(body.value, field.pointer, null));
        checked++;
        const message = messageOf(op, res.body);
        const issues = envelopeIssues(op, res.body);
        if (res.status !== 400 || issues.length > 0 || !message.includes(`body${field.pointer} `))
          wrong.push(`${op.operationId} ${field.pointer}: ${res.status} ${message} ${issues.join(', ')}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(100);
    expect(file.cat.logs()).not.toMatch(/unhandled error/);
  });

  it('the maintenance dry-run flag given as null never runs the job', async () => {
    const res = await send('POST', '/management/v1/warehouses/default/namespaces/q/tables/t/maintenance', {
      actions: ['remove-orphan-files'],
      'dry-run': null,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/body\/dry-run /);
  });
});

describe('the fields where null stands for absent', () => {
  const marked = jsonBodies.flatMap((op) =>
    example(op.body!.schema)
      .fields.filter((f) => f.nullMeansAbsent)
      .map((f) => `${op.operationId} ${f.pointer}`),
  );

  it('are only those real clients send as null (Iceberg Java: CreateTableRequest location, partition-spec, write-order)', () => {
    expect(marked.sort()).toEqual(['createTable /location', 'createTable /partition-spec', 'createTable /write-order']);
  });
});
