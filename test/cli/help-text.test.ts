/**
 * What `lakegate admin --help` tells a user to type is what the server grants: its PRIVILEGE list names every
 * privilege of the protocol's list (`kind:action|action` per kind). Before, the help spelt the list out itself and
 * missed table:maintain (which `lakegate maintain` needs), table:purge-immediately, warehouse:list-dropped and
 * warehouse:undrop (`lakegate undrop`) and the function privileges.
 */
import { PRIVILEGES } from '@lakegate/protocol/constants';
import { describe, expect, it } from 'vitest';
import { ADMIN_HELP } from '../../packages/cli/src/commands/admin-help.js';

/** The privileges a help text names in its `kind:action|action` words. */
function privilegesNamed(help: string): Set<string> {
  const named = new Set<string>();
  for (const [, kind, actions] of help.matchAll(/\b([a-z]+):([a-z-]+(?:\|[a-z-]+)*)/g)) {
    for (const action of actions!.split('|')) named.add(`${kind}:${action}`);
  }
  return named;
}

describe('lakegate admin --help', () => {
  it('names every privilege the server grants', () => {
    const named = privilegesNamed(ADMIN_HELP);
    expect(PRIVILEGES.filter((privilege) => !named.has(privilege))).toEqual([]);
  });
});
