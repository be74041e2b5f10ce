/**
 * Names stored before the display rules (issue 41: invisible characters; bidirectional controls before them). The
 * rules apply to names being created or renamed to (checkNewName); a request addressing a stored name (load, list,
 * rename from, drop) is held to the structural rules only, so such an object can be renamed to a clean name or
 * dropped, while no request can create one. The rows are seeded through the store, as a database from before
 * holds them.
 */
import { describe, expect, it } from 'vitest';
import { catalogForFile } from '../support/file-catalog.js';

const file = catalogForFile();

const inject = file.inject;
const schema = { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: false }] };
const enc = encodeURIComponent;
/** A zero-width space and a right-to-left override: both refused in new names. */
const ZWSP = 'leg\u200bacy';
const RLO = 'rev\u202eerse';

describe('a name stored before the display rules', () => {
  it('can be loaded, renamed to a clean name and dropped, but not created again', async () => {
    const repository = file.cat.lakegate.store.repository;
    expect(await repository.insertNamespace({ id: 'legacy-ns-id', warehouse: 'default', levels: [ZWSP], properties: {} })).toBe(true);
    expect((await inject('POST', '/v1/default/namespaces', { namespace: ['clean'] })).statusCode).toBe(200);
    // A table created under a clean name, then renamed in the store to a name the API refuses today.
    expect((await inject('POST', '/v1/default/namespaces/clean/tables', { name: 'seed', schema })).statusCode).toBe(200);
    expect(await repository.renameObject('default', 'table', { namespace: ['clean'], name: 'seed' }, { namespace: [ZWSP], name: RLO }, Date.now())).toBe(
      'renamed',
    );

    // Listed, loaded, addressed by its exact name.
    expect((await inject('GET', '/v1/default/namespaces')).json().namespaces).toContainEqual([ZWSP]);
    expect((await inject('GET', `/v1/default/namespaces/${enc(ZWSP)}`)).statusCode).toBe(200);
    expect((await inject('GET', `/v1/default/namespaces/${enc(ZWSP)}/tables`)).json().identifiers).toEqual([{ namespace: [ZWSP], name: RLO }]);
    expect((await inject('GET', `/v1/default/namespaces/${enc(ZWSP)}/tables/${enc(RLO)}`)).statusCode).toBe(200);

    // Not created again: neither the namespace, nor a table, nor a rename to such a name.
    const again = await inject('POST', '/v1/default/namespaces', { namespace: ['new\u200bone'] });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.message).toMatch(/invisible characters/);
    expect((await inject('POST', `/v1/default/namespaces/${enc(ZWSP)}/tables`, { name: 'inside', schema })).statusCode).toBe(400);
    const toBad = await inject('POST', '/v1/default/tables/rename', {
      source: { namespace: [ZWSP], name: RLO },
      destination: { namespace: ['clean'], name: 'x\u00ady' },
    });
    expect(toBad.statusCode).toBe(400);
    expect(toBad.json().error.message).toMatch(/destination name must not contain invisible characters/);

    // Renamed away to a clean name, then the old namespace dropped.
    const renamed = await inject('POST', '/v1/default/tables/rename', {
      source: { namespace: [ZWSP], name: RLO },
      destination: { namespace: ['clean'], name: 'reverse' },
    });
    expect(renamed.statusCode).toBe(204);
    expect((await inject('GET', '/v1/default/namespaces/clean/tables/reverse')).statusCode).toBe(200);
    expect((await inject('DELETE', `/v1/default/namespaces/${enc(ZWSP)}`)).statusCode).toBe(204);
    expect((await inject('GET', '/v1/default/namespaces')).json().namespaces).not.toContainEqual([ZWSP]);
  });

  it('can be dropped where it is', async () => {
    const repository = file.cat.lakegate.store.repository;
    expect((await inject('POST', '/v1/default/namespaces', { namespace: ['d'] })).statusCode).toBe(200);
    expect((await inject('POST', '/v1/default/namespaces/d/tables', { name: 'seed', schema })).statusCode).toBe(200);
    expect(await repository.renameObject('default', 'table', { namespace: ['d'], name: 'seed' }, { namespace: ['d'], name: ZWSP }, Date.now())).toBe('renamed');
    expect((await inject('DELETE', `/v1/default/namespaces/d/tables/${enc(ZWSP)}`)).statusCode).toBe(204);
    expect((await inject('GET', '/v1/default/namespaces/d/tables')).json().identifiers).toEqual([]);
  });
});
