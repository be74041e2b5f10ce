/**
 * Lance's own field ids, read from manifests pylance 14.0.2 wrote, and a Lance table's policies following them
 * (native-fields.ts). The dataset: `id` (int32), `email` (string), `person` (struct of `name`, `email`), `tags` (list
 * of string), `people` (list of struct of `email`), `attrs` (map of string to string), version 1; then `email` dropped
 * (version 2), a new `email` added (`add_columns({"email": "'new'"})`, version 3), and it renamed `mail`
 * (`alter_columns`, version 4).
 */
import { describe, expect, it } from 'vitest';
import { CatalogError } from '../../errors/catalog-error.js';
import { combine } from '../policies/effective.js';
import type { Policy } from '../ports/policies.js';
import { followLance, followLanceEach, lanceFieldsOf, nativeIdsByPath } from './native-fields.js';
import { manifestSchemaFields } from './versions/manifest-file.js';

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
/** Version 1 (_versions/18446744073709551614.manifest). */
const V1 = b64(
  'BwIAABIkMDM2ZjcxOTQtNTgwMi00YjIxLTgyODUtNzRhN2QwMzU5OWUysgbdAwpZElUKODAxMTAxMTAwMTEwMDEwMTAwMDAxMTExMDk0ZWYyNzRiMGY5OGExMTJiZGJjNzFkMDE1LmxhbmNlEggAAQMEBgkMDRoIAAECAwQFBgcgAigCMJYWIAISGhICaWQg////////////ASoFaW50MzIwATgBEiASBWVtYWlsGAEg////////////ASoGc3RyaW5nMAE4AhIfEgZwZXJzb24YAiD///////////8BKgZzdHJ1Y3QwARIWEgRuYW1lGAMgAioGc3RyaW5nMAE4AhIXEgVlbWFpbBgEIAIqBnN0cmluZzABOAISHRIEdGFncxgFIP///////////wEqBGxpc3QwATgBEhYSBGl0ZW0YBiAFKgZzdHJpbmcwATgCEiYSBnBlb3BsZRgHIP///////////wEqC2xpc3Quc3RydWN0MAE4ARIUEgRpdGVtGAggByoGc3RydWN0MAESFxIFZW1haWwYCSAIKgZzdHJpbmcwATgCEh0SBWF0dHJzGAog////////////ASoDbWFwMAE4ARIVEgdlbnRyaWVzGAsgCioGc3RydWN0EhMSA2tleRgMIAsqBnN0cmluZzgCEhcSBXZhbHVlGA0gCyoGc3RyaW5nMAE4Aj0CAAAKGhICaWQg////////////ASoFaW50MzIwATgBCiASBWVtYWlsGAEg////////////ASoGc3RyaW5nMAE4AgofEgZwZXJzb24YAiD///////////8BKgZzdHJ1Y3QwAQoWEgRuYW1lGAMgAioGc3RyaW5nMAE4AgoXEgVlbWFpbBgEIAIqBnN0cmluZzABOAIKHRIEdGFncxgFIP///////////wEqBGxpc3QwATgBChYSBGl0ZW0YBiAFKgZzdHJpbmcwATgCCiYSBnBlb3BsZRgHIP///////////wEqC2xpc3Quc3RydWN0MAE4AQoUEgRpdGVtGAggByoGc3RydWN0MAEKFxIFZW1haWwYCSAIKgZzdHJpbmcwATgCCh0SBWF0dHJzGAog////////////ASoDbWFwMAE4AQoVEgdlbnRyaWVzGAsgCioGc3RydWN0ChMSA2tleRgMIAsqBnN0cmluZzgCChcSBXZhbHVlGA0gCyoGc3RyaW5nMAE4AhJZElUKODAxMTAxMTAwMTEwMDEwMTAwMDAxMTExMDk0ZWYyNzRiMGY5OGExMTJiZGJjNzFkMDE1LmxhbmNlEggAAQMEBgkMDRoIAAECAwQFBgcgAigCMJYWIAIYAToMCOH0r9gGEK2xt6UBWABiKjAtMDM2ZjcxOTQtNTgwMi00YjIxLTgyODUtNzRhN2QwMzU5OWUyLnR4bmoPCgVsYW5jZRIGMTQuMC4yegwKBWxhbmNlEgMyLjK4AQALAgAAAAAAAAAAAgBMQU5D',
);
/** Version 3: `email` dropped, then added again (_versions/18446744073709551612.manifest). */
const V3 = b64(
  'UQIAAAgCEiQ0ODhjN2ZjOC1mZjg5LTQyYTEtYWZkZS03MWQ4YTE5OWE4YjXKBqUECqIBElUKODAxMTAxMTAwMTEwMDEwMTAwMDAxMTExMDk0ZWYyNzRiMGY5OGExMTJiZGJjNzFkMDE1LmxhbmNlEggAAQMEBgkMDRoIAAECAwQFBgcgAigCMJYWEkcKODEwMDAwMDExMTAwMTAwMTAxMTEwMTEwMDliZWRmMjRmZGQ5OWM5Mjc0Yjc0ZDU1OTc1LmxhbmNlEgEOGgEAIAIoAjCNAiACEhoSAmlkIP///////////wEqBWludDMyMAE4ARIfEgZwZXJzb24YAiD///////////8BKgZzdHJ1Y3QwARIWEgRuYW1lGAMgAioGc3RyaW5nMAE4AhIXEgVlbWFpbBgEIAIqBnN0cmluZzABOAISHRIEdGFncxgFIP///////////wEqBGxpc3QwATgBEhYSBGl0ZW0YBiAFKgZzdHJpbmcwATgCEiYSBnBlb3BsZRgHIP///////////wEqC2xpc3Quc3RydWN0MAE4ARIUEgRpdGVtGAggByoGc3RydWN0MAESFxIFZW1haWwYCSAIKgZzdHJpbmcwATgCEh0SBWF0dHJzGAog////////////ASoDbWFwMAE4ARIVEgdlbnRyaWVzGAsgCioGc3RydWN0EhMSA2tleRgMIAsqBnN0cmluZzgCEhcSBXZhbHVlGA0gCyoGc3RyaW5nMAE4AhIeEgVlbWFpbBgOIP///////////wEqBnN0cmluZzgChQIAAAoaEgJpZCD///////////8BKgVpbnQzMjABOAEKHxIGcGVyc29uGAIg////////////ASoGc3RydWN0MAEKFhIEbmFtZRgDIAIqBnN0cmluZzABOAIKFxIFZW1haWwYBCACKgZzdHJpbmcwATgCCh0SBHRhZ3MYBSD///////////8BKgRsaXN0MAE4AQoWEgRpdGVtGAYgBSoGc3RyaW5nMAE4AgomEgZwZW9wbGUYByD///////////8BKgtsaXN0LnN0cnVjdDABOAEKFBIEaXRlbRgIIAcqBnN0cnVjdDABChcSBWVtYWlsGAkgCCoGc3RyaW5nMAE4AgodEgVhdHRycxgKIP///////////wEqA21hcDABOAEKFRIHZW50cmllcxgLIAoqBnN0cnVjdAoTEgNrZXkYDCALKgZzdHJpbmc4AgoXEgV2YWx1ZRgNIAsqBnN0cmluZzABOAIKHhIFZW1haWwYDiD///////////8BKgZzdHJpbmc4AhKiARJVCjgwMTEwMTEwMDExMDAxMDEwMDAwMTExMTA5NGVmMjc0YjBmOThhMTEyYmRiYzcxZDAxNS5sYW5jZRIIAAEDBAYJDA0aCAABAgMEBQYHIAIoAjCWFhJHCjgxMDAwMDAxMTEwMDEwMDEwMTExMDExMDA5YmVkZjI0ZmRkOTljOTI3NGI3NGQ1NTk3NS5sYW5jZRIBDhoBACACKAIwjQIgAhgDOgwI4fSv2AYQtcDliAJYAGIqMi00ODhjN2ZjOC1mZjg5LTQyYTEtYWZkZS03MWQ4YTE5OWE4YjUudHhuag8KBWxhbmNlEgYxNC4wLjJ6DAoFbGFuY2USAzIuMrgBAFUCAAAAAAAAAAACAExBTkM=',
);
/** Version 4: the new `email` renamed `mail` (_versions/18446744073709551611.manifest). */
const V4 = b64(
  'rQEAAAgDEiRjMmUwY2YzMi1lZGZiLTRlMGQtYTQ0OS0yZTdmY2UwNjBjNTXqBoEDChoSAmlkIP///////////wEqBWludDMyMAE4AQofEgZwZXJzb24YAiD///////////8BKgZzdHJ1Y3QwAQoWEgRuYW1lGAMgAioGc3RyaW5nMAE4AgoXEgVlbWFpbBgEIAIqBnN0cmluZzABOAIKHRIEdGFncxgFIP///////////wEqBGxpc3QwATgBChYSBGl0ZW0YBiAFKgZzdHJpbmcwATgCCiYSBnBlb3BsZRgHIP///////////wEqC2xpc3Quc3RydWN0MAE4AQoUEgRpdGVtGAggByoGc3RydWN0MAEKFxIFZW1haWwYCSAIKgZzdHJpbmcwATgCCh0SBWF0dHJzGAog////////////ASoDbWFwMAE4AQoVEgdlbnRyaWVzGAsgCioGc3RydWN0ChMSA2tleRgMIAsqBnN0cmluZzgCChcSBXZhbHVlGA0gCyoGc3RyaW5nMAE4AgodEgRtYWlsGA4g////////////ASoGc3RyaW5nOAIQAYQCAAAKGhICaWQg////////////ASoFaW50MzIwATgBCh8SBnBlcnNvbhgCIP///////////wEqBnN0cnVjdDABChYSBG5hbWUYAyACKgZzdHJpbmcwATgCChcSBWVtYWlsGAQgAioGc3RyaW5nMAE4AgodEgR0YWdzGAUg////////////ASoEbGlzdDABOAEKFhIEaXRlbRgGIAUqBnN0cmluZzABOAIKJhIGcGVvcGxlGAcg////////////ASoLbGlzdC5zdHJ1Y3QwATgBChQSBGl0ZW0YCCAHKgZzdHJ1Y3QwAQoXEgVlbWFpbBgJIAgqBnN0cmluZzABOAIKHRIFYXR0cnMYCiD///////////8BKgNtYXAwATgBChUSB2VudHJpZXMYCyAKKgZzdHJ1Y3QKExIDa2V5GAwgCyoGc3RyaW5nOAIKFxIFdmFsdWUYDSALKgZzdHJpbmcwATgCCh0SBG1haWwYDiD///////////8BKgZzdHJpbmc4AhKiARJVCjgwMTEwMTEwMDExMDAxMDEwMDAwMTExMTA5NGVmMjc0YjBmOThhMTEyYmRiYzcxZDAxNS5sYW5jZRIIAAEDBAYJDA0aCAABAgMEBQYHIAIoAjCWFhJHCjgxMDAwMDAxMTEwMDEwMDEwMTExMDExMDA5YmVkZjI0ZmRkOTljOTI3NGI3NGQ1NTk3NS5sYW5jZRIBDhoBACACKAIwjQIgAhgEOgwI4fSv2AYQm9LmigJYAGIqMy1jMmUwY2YzMi1lZGZiLTRlMGQtYTQ0OS0yZTdmY2UwNjBjNTUudHhuag8KBWxhbmNlEgYxNC4wLjJ6DAoFbGFuY2USAzIuMrgBALEBAAAAAAAAAAACAExBTkM=',
);

const policy = (over: Partial<Policy>): Policy => ({
  id: 'p1',
  tenant: 't',
  warehouse: 'w',
  objectId: 'o',
  kind: 'column-mask',
  roles: ['r'],
  version: 1,
  createdAtMs: 0,
  updatedAtMs: 0,
  ...over,
});

describe("Lance's own field ids", () => {
  it("reads each schema field of a manifest with Lance's id and parent id, a parent before its children", () => {
    const fields = manifestSchemaFields(V1);
    expect(fields.slice(0, 5)).toEqual([
      { id: 0, parentId: -1, name: 'id', logicalType: 'int32' },
      { id: 1, parentId: -1, name: 'email', logicalType: 'string' },
      { id: 2, parentId: -1, name: 'person', logicalType: 'struct' },
      { id: 3, parentId: 2, name: 'name', logicalType: 'string' },
      { id: 4, parentId: 2, name: 'email', logicalType: 'string' },
    ]);
    expect(fields).toHaveLength(14);
    // A column added again is a new field, a rename keeps the id.
    expect(manifestSchemaFields(V3).find((f) => f.name === 'email' && f.parentId === -1)?.id).toBe(14);
    expect(manifestSchemaFields(V4).find((f) => f.id === 14)?.name).toBe('mail');
    expect(() => manifestSchemaFields(V1.subarray(0, 40))).toThrow(CatalogError);
  });

  it("names each field by the path a policy names it: struct fields, list elements, a map's key and value", () => {
    expect(Object.fromEntries(nativeIdsByPath(manifestSchemaFields(V1)))).toEqual({
      id: 0,
      email: 1,
      person: 2,
      'person.name': 3,
      'person.email': 4,
      tags: 5,
      'tags.element': 6,
      people: 7,
      'people.element': 8,
      'people.element.email': 9,
      attrs: 10,
      'attrs.key': 12,
      'attrs.value': 13,
    });
    expect(lanceFieldsOf(['email', 'email', 'person.email', 'nope'], nativeIdsByPath(manifestSchemaFields(V1)))).toEqual([
      { column: 'email', id: 1 },
      { column: 'person.email', id: 4 },
    ]);
  });

  it('follows a rename by id, and fails closed (422) on a column dropped and added again under its name', () => {
    const mask = policy({ masks: [{ fieldId: 2, column: 'email', action: 'replace-with-null' }], lanceFields: [{ column: 'email', id: 14 }] });
    const filter = policy({
      id: 'p2',
      kind: 'row-filter',
      filter: { type: 'eq', term: 'email', value: 'x' },
      lanceFields: [{ column: 'email', id: 14 }],
    });
    const renamed = followLance(combine([mask, filter]), manifestSchemaFields(V4));
    expect(renamed.masks.map((m) => m.column)).toEqual(['mail']);
    expect(renamed.rowFilter).toEqual({ type: 'eq', term: 'mail', value: 'x' });
    // The same policies and versions: the same policy version (the derived datasets' key).
    expect(renamed.policyVersion).toBe(combine([mask, filter]).policyVersion);
    // Written against version 1's email (id 1): version 3's email is another column.
    const old = policy({ masks: [{ fieldId: 2, column: 'email', action: 'replace-with-null' }], lanceFields: [{ column: 'email', id: 1 }] });
    expect(followLance(combine([old]), manifestSchemaFields(V1)).masks[0]!.column).toBe('email');
    for (const version of [V3, V4]) {
      let thrown: unknown;
      try {
        followLance(combine([old]), manifestSchemaFields(version));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(CatalogError);
      expect((thrown as CatalogError).code).toBe('ERR_UNPROCESSABLE');
      expect((thrown as CatalogError).message).toMatch(/masked column email \(Lance field id 1; dropped, or dropped and added again\)/);
    }
  });

  it("shows each policy against a version (GET and list): followed to its columns' names, or the read's 422; one stored before the ids by name", () => {
    const byId = policy({ masks: [{ fieldId: 2, column: 'email', action: 'replace-with-null' }], lanceFields: [{ column: 'email', id: 14 }] });
    const dropped = policy({ id: 'p2', masks: [{ fieldId: 2, column: 'email', action: 'replace-with-null' }], lanceFields: [{ column: 'email', id: 1 }] });
    const byName = policy({
      id: 'p3',
      kind: 'row-filter',
      filter: { type: 'not', child: { type: 'eq', term: { type: 'reference', term: 'email' }, value: 'x' } },
    });
    const [renamed, gone, named] = followLanceEach([byId, dropped, byName], manifestSchemaFields(V4));
    expect((renamed as Policy).masks![0]!.column).toBe('mail');
    expect(gone).toBeInstanceOf(CatalogError);
    expect((gone as CatalogError).message).toMatch(/masked column email \(Lance field id 1; dropped, or dropped and added again\)/);
    // Version 4 has no `email` at the top level any more: by name, the filter's term is gone; version 3 has it.
    expect((named as CatalogError).message).toMatch(/its row filter column email does not match a column/);
    expect(followLanceEach([byName], manifestSchemaFields(V3))[0]).toBe(byName);
  });

  it('leaves a policy stored before Lance ids were recorded as it is (bound by name)', () => {
    const legacy = combine([policy({ masks: [{ fieldId: 2, column: 'email', action: 'replace-with-null' }] })]);
    expect(followLance(legacy, manifestSchemaFields(V3))).toBe(legacy);
  });
});
