/**
 * The log line of a committed change, derived from its outbox event (the one record of it: change-listener.ts). The
 * message and fields are those the services logged before the change list was the single source (`table.committed`
 * with warehouse, namespace, name, metadataLocation; `table.renamed` with from/to; the undrops as `object.undropped`
 * with kind and id), plus `eventId`, the CloudEvent's id, to find the event a line is about. Only these named fields
 * are picked from the event, never its whole data, so no payload reaches the log that the event did not name here.
 */
import { formatIdentifier } from '../identifiers.js';
import type { OutboxEventInput } from '../ports/outbox.js';
import { CHANGE_KINDS, EVENT_TYPE_PREFIX } from './changes.js';

export type ChangeLogLine = { type: string; warehouse: string; eventId: string } & Record<string, unknown>;

const KINDS: ReadonlySet<string> = new Set(CHANGE_KINDS);

/** The log line of a warehouse's change event; undefined for a tenant's (roles, principals: the audit trail has them). */
export function changeLogLine(event: OutboxEventInput): ChangeLogLine | undefined {
  const kind = event.type.startsWith(EVENT_TYPE_PREFIX) ? event.type.slice(EVENT_TYPE_PREFIX.length) : '';
  if (!KINDS.has(kind)) return undefined;
  const data = event.data;
  const base = { warehouse: event.warehouse, eventId: event.id };
  const namespace = levels(data.namespace);
  const name = typeof data.name === 'string' ? data.name : undefined;
  if (kind === 'transaction.committed') return { type: kind, ...base, tables: Array.isArray(data.tables) ? data.tables.length : 0 };
  if (kind.startsWith('namespace.') && !kind.endsWith('.undropped')) return { type: kind, ...base, namespace };
  if (kind.endsWith('.renamed')) {
    const from = (data.from ?? {}) as { namespace?: unknown; name?: unknown };
    return {
      type: kind,
      ...base,
      from: formatIdentifier(levels(from.namespace), typeof from.name === 'string' ? from.name : undefined),
      to: formatIdentifier(namespace, name),
    };
  }
  if (kind.endsWith('.undropped')) {
    const what = kind.slice(0, -'.undropped'.length);
    const id = data['dropped-object-id'];
    if (what === 'namespace') return { type: 'object.undropped', ...base, kind: what, id, namespace: namespace.slice(0, -1), name: namespace.at(-1) };
    return { type: 'object.undropped', ...base, kind: what, id, namespace, name };
  }
  return {
    type: kind,
    ...base,
    namespace,
    ...(name !== undefined ? { name } : {}),
    ...(typeof data['metadata-location'] === 'string' ? { metadataLocation: data['metadata-location'] } : {}),
    ...(typeof data.location === 'string' ? { location: data.location } : {}),
    ...(typeof data.version === 'number' ? { version: data.version } : {}),
    ...(typeof data.branch === 'string' ? { branch: data.branch } : {}),
    ...(typeof data.tag === 'string' ? { tag: data.tag } : {}),
  };
}

function levels(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
