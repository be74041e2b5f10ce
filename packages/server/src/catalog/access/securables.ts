/**
 * Securables as the management API names them ({type, warehouse,
 * namespace, name}) and as grants store them (kind + id). Resolving checks
 * that the object exists in the tenant (a warehouse of another tenant is
 * "not found", as everywhere else); describing turns stored ids back into
 * names in one lookup.
 */
import { z } from 'zod';
import { CatalogError } from '../../errors/catalog-error.js';
import { checkName, checkNamespace, encodeNamespace, formatIdentifier } from '../identifiers.js';
import type { CatalogRepository, Warehouse } from '../ports/index.js';
import type { SecurablePath, SecurableRef } from '../ports/access.js';
import type { SecurableKind } from '../privileges.js';

export const SecurableInput = z.object({
  type: z.enum(['warehouse', 'namespace', 'table', 'view']),
  warehouse: z.string().min(1),
  namespace: z.array(z.string()).optional(),
  name: z.string().optional(),
});
export type SecurableInput = z.infer<typeof SecurableInput>;

/** A securable as the API shows it. */
export interface SecurableView {
  type: SecurableKind;
  warehouse: string;
  namespace?: string[];
  name?: string;
}

export interface ResolvedSecurable {
  ref: SecurableRef & { warehouse: string };
  path: SecurablePath;
  view: SecurableView;
  /** "lake/sales.orders", for messages and the audit trail. */
  display: string;
}

export const displayOf = (v: SecurableView): string =>
  v.type === 'warehouse' ? v.warehouse : `${v.warehouse}/${formatIdentifier(v.namespace ?? [], v.type === 'namespace' ? undefined : v.name)}`;

const notFound = (what: string) => new CatalogError('ERR_NOT_FOUND', `no such ${what}`);

/** Resolves a securable of the tenant; `lookupWarehouse` answers a missing warehouse (or another tenant's) with the same error. */
export async function resolveSecurable(repo: CatalogRepository, input: SecurableInput, warehouse: Warehouse): Promise<ResolvedSecurable> {
  if (input.type === 'warehouse') {
    if (input.namespace !== undefined || input.name !== undefined) throw new CatalogError('ERR_VALIDATION', 'a warehouse securable has no namespace or name');
    const view: SecurableView = { type: 'warehouse', warehouse: warehouse.name };
    return {
      ref: { kind: 'warehouse', id: warehouse.name, warehouse: warehouse.name },
      path: { warehouse: warehouse.name, namespaces: [] },
      view,
      display: displayOf(view),
    };
  }
  const levels = checkNamespace(input.namespace);
  const prefixes = levels.map((_, i) => levels.slice(0, i + 1));
  const ids = await repo.getNamespaceIds(warehouse.name, prefixes);
  const namespaceIds = prefixes.map((p) => ids.get(encodeNamespace(p)));
  if (namespaceIds.some((id) => id === undefined)) throw notFound(`namespace ${warehouse.name}/${formatIdentifier(levels)}`);
  const path: SecurablePath = { warehouse: warehouse.name, namespaces: namespaceIds as string[] };
  if (input.type === 'namespace') {
    if (input.name !== undefined) throw new CatalogError('ERR_VALIDATION', 'a namespace securable has no name: name the namespace by its levels');
    const view: SecurableView = { type: 'namespace', warehouse: warehouse.name, namespace: levels };
    return { ref: { kind: 'namespace', id: path.namespaces.at(-1)!, warehouse: warehouse.name }, path, view, display: displayOf(view) };
  }
  const name = checkName(input.name, `${input.type} name`);
  const record = await repo.getObject(warehouse.name, levels, name);
  const matches = record !== undefined && (input.type === 'view' ? record.kind === 'view' : record.kind === 'table' || record.kind === 'lance-table');
  if (!record || !matches) throw notFound(`${input.type} ${warehouse.name}/${formatIdentifier(levels, name)}`);
  const view: SecurableView = { type: input.type, warehouse: warehouse.name, namespace: levels, name };
  return {
    ref: { kind: input.type, id: record.id, warehouse: warehouse.name },
    path: { ...path, object: { kind: input.type, id: record.id } },
    view,
    display: displayOf(view),
  };
}

/** The API view of stored securable refs, in one lookup; refs whose object is gone are left out (their grants are orphans). */
export async function describeSecurables(
  repo: CatalogRepository,
  refs: ReadonlyArray<SecurableRef & { warehouse: string }>,
): Promise<Map<string, SecurableView>> {
  const out = new Map<string, SecurableView>();
  const ids = refs.filter((r) => r.kind !== 'warehouse').map((r) => r.id);
  const found = new Map((await repo.findByIds([...new Set(ids)])).map((f) => [f.id, f]));
  for (const r of refs) {
    const key = `${r.kind}\u001f${r.id}`;
    if (r.kind === 'warehouse') out.set(key, { type: 'warehouse', warehouse: r.warehouse });
    const f = found.get(r.id);
    if (!f) continue;
    if (r.kind === 'namespace' && f.kind === 'namespace') out.set(key, { type: 'namespace', warehouse: f.warehouse, namespace: f.namespace });
    if ((r.kind === 'table' || r.kind === 'view') && f.kind !== 'namespace')
      out.set(key, { type: r.kind, warehouse: f.warehouse, namespace: f.namespace, name: f.name! });
  }
  return out;
}
