/**
 * Whether a caller may know that a name is taken by an object it may see.
 * Engines probe one kind before the other (Trino asks for a view of the
 * name before it loads the table, Spark the other way round): a miss on one
 * kind is "not found" — not 403 — when the name is an object of the other
 * kind that the caller may see, since it learns nothing it could not list.
 */
import type { RequestScope } from '../context.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import type { AccessDecisions } from '../ports/access-decisions.js';
import type { SecurablePath } from '../ports/access.js';
import { TABLE_VISIBILITY, VIEW_VISIBILITY } from '../privileges.js';

export async function mayKnowObject(
  access: AccessDecisions,
  scope: RequestScope,
  namespacePath: SecurablePath,
  record: CatalogObjectRecord | undefined,
): Promise<boolean> {
  if (!record) return false;
  const kind = record.kind === 'view' ? 'view' : 'table';
  const path = access.objectPath(namespacePath, kind, record.id);
  const visibleWith = kind === 'view' ? VIEW_VISIBILITY : TABLE_VISIBILITY;
  const answers = await access.allows(scope, [
    ...visibleWith.map((privilege) => ({ privilege, path })),
    { privilege: kind === 'view' ? 'view:list' : 'table:list', path: namespacePath },
  ]);
  return answers.some(Boolean);
}
