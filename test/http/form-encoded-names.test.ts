/**
 * Names in a path as Iceberg Java writes them (issue 52, found by Spark in test/interop/locations-spark.test.ts):
 * `RESTUtil.encodeString` is `URLEncoder.encode`, so a space travels as `+` and a plus as %2B. The Iceberg and
 * management surfaces read `+` as a space (http/plugins/path-params.ts), as Iceberg's reference server does; PyIceberg's
 * and encodeURIComponent's %20 and %2B mean what they always meant.
 */
import { describe, expect, it } from 'vitest';
import { catalogForFile } from '../support/file-catalog.js';

const file = catalogForFile();
const inject = file.inject;
const schema = { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: false }] };
/** Java's URLEncoder: encodeURIComponent, then a space as "+" (and the characters it leaves that URLEncoder does not). */
const javaEncode = (s: string) =>
  encodeURIComponent(s)
    .replaceAll('%20', '+')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const ns = (encode: (s: string) => string, ...levels: string[]) => levels.map(encode).join('%1F');

describe('a "+" in a path is a space, %2B a plus', () => {
  it('finds a namespace and a table named with spaces as Iceberg Java names them, and tells them from ones with "+"', async () => {
    expect((await inject('POST', '/v1/default/namespaces', { namespace: ['a b'] })).statusCode).toBe(200);
    expect((await inject('POST', '/v1/default/namespaces', { namespace: ['a b', 'c d'] })).statusCode).toBe(200);
    expect((await inject('POST', '/v1/default/namespaces', { namespace: ['a+b'] })).statusCode).toBe(200);
    const java = ns(javaEncode, 'a b', 'c d');
    expect(java).toBe('a+b%1Fc+d');
    expect((await inject('HEAD', `/v1/default/namespaces/${java}`)).statusCode).toBe(204);
    expect((await inject('GET', `/v1/default/namespaces/${java}`)).json().namespace).toEqual(['a b', 'c d']);
    // The namespace named with a plus, as both Java and encodeURIComponent send it.
    expect((await inject('GET', `/v1/default/namespaces/${ns(javaEncode, 'a+b')}`)).json().namespace).toEqual(['a+b']);
    expect((await inject('GET', `/v1/default/namespaces/${ns(encodeURIComponent, 'a b', 'c d')}`)).json().namespace).toEqual(['a b', 'c d']);

    const created = await inject('POST', `/v1/default/namespaces/${java}/tables`, { name: 't é+x y', schema });
    expect(created.statusCode, created.body).toBe(200);
    for (const encode of [javaEncode, encodeURIComponent]) {
      const loaded = await inject('GET', `/v1/default/namespaces/${ns(encode, 'a b', 'c d')}/tables/${encode('t é+x y')}`);
      expect(loaded.statusCode, encode.name).toBe(200);
    }
    expect((await inject('HEAD', `/v1/default/namespaces/${java}/tables/t+%C3%A9+x+y`)).statusCode).toBe(404);
    const url = `/management/v1/warehouses/default/namespaces/${javaEncode('a b\u001fc d')}/tables/${javaEncode('t é+x y')}/maintenance`;
    const maintained = await inject('POST', url, { actions: ['expire-snapshots'], 'dry-run': true });
    expect(maintained.statusCode, maintained.body).toBe(200);
    expect((await inject('DELETE', `/v1/default/namespaces/${java}/tables/${javaEncode('t é+x y')}?purgeRequested=true`)).statusCode).toBe(204);
  });
});
