/**
 * The privileges of Lakegate's access model, which securables they are
 * granted on, and which privileges imply which. This file is the single
 * statement of the rules; the built-in authorizer evaluates them in code
 * and the OpenFGA model (auth/authz/openfga/model.ts) encodes the same
 * rules, and one permission-matrix suite holds both to them.
 *
 * Grants inherit downwards: a privilege granted on a warehouse holds on
 * every namespace, table and view in it; on a namespace, on everything
 * under it. An object privilege granted on a container (e.g.
 * `table:read-data` on a namespace) therefore covers every such object
 * inside it, present and future.
 */
import { validation } from '../errors/catalog-error.js';
import { boundedText } from './bounded-text.js';
import { PRIVILEGES, type Privilege } from '@lakegate/protocol';

/** The privileges (the wire vocabulary, in @lakegate/protocol); this file says what each means. */
export { PRIVILEGES, type Privilege };

export type SecurableKind = 'warehouse' | 'namespace' | 'table' | 'view';

/** Where a privilege may be granted: on the object kind it concerns, or on any container of such objects. */
const GRANTABLE_ON: Record<Privilege, readonly SecurableKind[]> = {
  'warehouse:manage': ['warehouse'],
  'grants:manage': ['warehouse', 'namespace', 'table', 'view'],
  'namespace:create': ['warehouse', 'namespace'],
  'namespace:list': ['warehouse', 'namespace'],
  'namespace:drop': ['warehouse', 'namespace'],
  'namespace:update-properties': ['warehouse', 'namespace'],
  'table:create': ['warehouse', 'namespace'],
  'table:list': ['warehouse', 'namespace'],
  'table:read-metadata': ['warehouse', 'namespace', 'table'],
  'table:read-data': ['warehouse', 'namespace', 'table'],
  'table:write-data': ['warehouse', 'namespace', 'table'],
  'table:drop': ['warehouse', 'namespace', 'table'],
  'view:create': ['warehouse', 'namespace'],
  'view:list': ['warehouse', 'namespace'],
  'view:read': ['warehouse', 'namespace', 'view'],
  'view:replace': ['warehouse', 'namespace', 'view'],
  'view:drop': ['warehouse', 'namespace', 'view'],
  /** A purge (Iceberg DROP … PURGE, a Lance drop) deletes the files at once instead of after the drop retention. */
  'table:purge-immediately': ['warehouse', 'namespace', 'table'],
  /** Seeing the warehouse's dropped (soft-deleted) objects. */
  'warehouse:list-dropped': ['warehouse'],
  /** Restoring a dropped object (catalog/maintenance/). */
  'warehouse:undrop': ['warehouse'],
  /** Running table maintenance (snapshot expiry, file cleanup) on demand: it commits and deletes files as the catalog. */
  'table:maintain': ['warehouse', 'namespace', 'table'],
  /** Functions (SQL UDFs, catalog/functions/) are granted like views, on their warehouse or namespace (not one by one yet). */
  'function:create': ['warehouse', 'namespace'],
  'function:list': ['warehouse', 'namespace'],
  'function:read': ['warehouse', 'namespace'],
  'function:replace': ['warehouse', 'namespace'],
  'function:drop': ['warehouse', 'namespace'],
};

/**
 * Direct implications (the closure is taken): write-data needs to read
 * what it extends, reading data needs the metadata, replacing a view needs
 * to read it. `warehouse:manage` implies every privilege in the warehouse.
 */
const IMPLIES: Partial<Record<Privilege, readonly Privilege[]>> = {
  'table:write-data': ['table:read-data'],
  'table:read-data': ['table:read-metadata'],
  'view:replace': ['view:read'],
  'function:replace': ['function:read'],
  'warehouse:undrop': ['warehouse:list-dropped'],
  'warehouse:manage': PRIVILEGES.filter((p) => p !== 'warehouse:manage'),
};

/** The privileges that a grant of `privilege` confers, itself included. */
export function closureOf(privilege: Privilege): ReadonlySet<Privilege> {
  const out = new Set<Privilege>([privilege]);
  const stack: Privilege[] = [privilege];
  while (stack.length > 0) {
    for (const implied of IMPLIES[stack.pop()!] ?? []) {
      if (!out.has(implied)) {
        out.add(implied);
        stack.push(implied);
      }
    }
  }
  return out;
}

const CLOSURES = new Map<Privilege, ReadonlySet<Privilege>>(PRIVILEGES.map((p) => [p, closureOf(p)]));

/** The privileges that confer `privilege` (itself included): what to look for among the grants. */
export function grantsConferring(privilege: Privilege): Privilege[] {
  return PRIVILEGES.filter((p) => CLOSURES.get(p)!.has(privilege));
}

/** The securable kinds a privilege may be granted on (the OpenFGA model is generated from this and the implications). */
export function grantableOn(privilege: Privilege): readonly SecurableKind[] {
  return GRANTABLE_ON[privilege];
}

/** The privileges that can be held on an object of that kind (granted on it, or inherited from its containers). */
export function privilegesOn(kind: SecurableKind): Privilege[] {
  return PRIVILEGES.filter((p) => GRANTABLE_ON[p].includes(kind));
}

/** True when holding the `held` grants confers `privilege`. */
export function confers(held: Iterable<Privilege>, privilege: Privilege): boolean {
  for (const p of held) if (CLOSURES.get(p)!.has(privilege)) return true;
  return false;
}

export const isPrivilege = (value: unknown): value is Privilege => typeof value === 'string' && (PRIVILEGES as readonly string[]).includes(value);

/** A value that is no privilege, as a message quotes it: JSON, cut to 100 characters (it may be anything the caller sent). */
export function quotedPrivilege(value: unknown): string {
  return boundedText(JSON.stringify(value) ?? String(value), 100);
}

/** Validates a privilege for a grant on a securable of `kind`. */
export function checkGrantable(value: unknown, kind: SecurableKind): Privilege {
  if (!isPrivilege(value)) throw validation(`unknown privilege ${quotedPrivilege(value)}; known: ${PRIVILEGES.join(', ')}`);
  if (!GRANTABLE_ON[value].includes(kind)) throw validation(`${value} cannot be granted on a ${kind} (only on: ${GRANTABLE_ON[value].join(', ')})`);
  return value;
}

/** The privileges a token whose scope allows reading only keeps (e.g. `catalog:read`); `any` (visibility) is one too. */
export const READ_PRIVILEGES: ReadonlySet<Privilege> = new Set<Privilege>([
  'namespace:list',
  'table:list',
  'table:read-metadata',
  'table:read-data',
  'view:list',
  'view:read',
  'function:list',
  'function:read',
]);

/** True when a credential's scope lets it use `privilege` at all (grants decide the rest). */
export function scopeAllows(scope: { read: boolean; write: boolean; management: boolean }, privilege: Privilege | 'any'): boolean {
  if (privilege === 'grants:manage') return scope.management;
  if (privilege === 'any' || READ_PRIVILEGES.has(privilege)) return scope.read;
  return scope.write;
}

/** Privileges that make a table visible (listed, answered by HEAD) when held on it or inherited. */
export const TABLE_VISIBILITY: readonly Privilege[] = ['table:read-metadata', 'table:drop'];
/** Likewise for views. */
export const VIEW_VISIBILITY: readonly Privilege[] = ['view:read', 'view:drop'];
