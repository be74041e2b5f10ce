/**
 * What the catalog's services record in the outbox, inside the transaction of the change: one event per change, of a
 * stable CloudEvents type (EVENT_TYPES, listed in docs/events.md), with the caller and, for Iceberg changes, the payload
 * of the REST events proposal (apache/iceberg#12584: `operation-type`, `identifier`, `table-uuid`, `updates`).
 */
import type { Caller } from '../ports/index.js';
import type { OutboxEventInput, OutboxWriter } from '../ports/outbox.js';

export const EVENT_TYPE_PREFIX = 'io.lakegate.';

/** Every kind of change, as `io.lakegate.<kind>`. Stable: consumers route on them. */
export const CHANGE_KINDS = [
  'namespace.created',
  'namespace.updated',
  'namespace.dropped',
  'table.created',
  'table.committed',
  'table.registered',
  'table.renamed',
  'table.dropped',
  'table.unregistered',
  'transaction.committed',
  'view.created',
  'view.replaced',
  'view.registered',
  'view.renamed',
  'view.dropped',
  'lance-table.declared',
  'lance-table.registered',
  'lance-table.renamed',
  'lance-table.dropped',
  'lance-table.deregistered',
  'lance-table.version-created',
  'lance-table.branch-deleted',
  'lance-table.tag-created',
  'lance-table.tag-updated',
  'lance-table.tag-deleted',
  'table.undropped',
  'view.undropped',
  'lance-table.undropped',
  'namespace.undropped',
  'grant.added',
  'grant.revoked',
  'policy.created',
  'policy.updated',
  'policy.deleted',
  'table.labels-set',
  'view.labels-set',
  'function.created',
  'function.replaced',
  'function.dropped',
] as const;

export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** The proposal's operation-type per kind, where it has one. */
const OPERATION_TYPES: Partial<Record<ChangeKind, string>> = {
  'namespace.created': 'create-namespace',
  'namespace.updated': 'update-namespace-properties',
  'namespace.dropped': 'drop-namespace',
  'table.created': 'create-table',
  'table.committed': 'update-table',
  'table.registered': 'register-table',
  'table.renamed': 'rename-table',
  'table.dropped': 'drop-table',
  'table.unregistered': 'drop-table',
  'view.created': 'create-view',
  'view.replaced': 'update-view',
  'view.registered': 'create-view',
  'view.renamed': 'rename-view',
  'view.dropped': 'drop-view',
};

export interface Change {
  kind: ChangeKind;
  namespace?: readonly string[] | undefined;
  name?: string | undefined;
  /** The table's (view's, dataset's) uuid: the ordering key of its events. */
  uuid?: string | undefined;
  /** The ordering key when the event names no `uuid` (`table-uuid`): a view's policy event, keyed by the view's uuid. */
  key?: string | undefined;
  /** Further fields of the proposal's operation object (e.g. `updates`, `source`/`destination`, `purge`). */
  operation?: Record<string, unknown> | undefined;
  /** Further fields of the event's data (e.g. `metadata-location`, `snapshots`, `version`). */
  data?: Record<string, unknown> | undefined;
}

export interface ChangeContext {
  newUuid: () => string;
  clock: { now(): number };
}

/** Who made the change: the subject (principal id or user), its issuer, and for delegated calls the acting chain (`act`). */
export function callerData(caller: Caller): Record<string, unknown> {
  const member = caller.members[0];
  return {
    principal: member?.name ?? 'anonymous',
    kind: member?.kind ?? 'anonymous',
    ...(member?.issuer ? { issuer: member.issuer } : {}),
    ...(caller.act && caller.act.length > 0 ? { act: [...caller.act] } : {}),
    ...(caller.requestId ? { 'request-id': caller.requestId } : {}),
  };
}

export function changeEvent(ctx: ChangeContext, warehouse: string, caller: Caller, change: Change): OutboxEventInput {
  const namespace = change.namespace ? [...change.namespace] : undefined;
  const subject = namespace === undefined ? undefined : change.name === undefined ? namespace.join('.') : `${namespace.join('.')}/${change.name}`;
  const operationType = OPERATION_TYPES[change.kind];
  const identifier = namespace !== undefined && change.name !== undefined ? { namespace, name: change.name } : undefined;
  const operation =
    operationType === undefined
      ? undefined
      : {
          'operation-type': operationType,
          ...(identifier ? { identifier } : namespace ? { namespace } : {}),
          ...(change.uuid && change.kind.startsWith('table.') ? { 'table-uuid': change.uuid } : {}),
          ...(change.uuid && change.kind.startsWith('view.') ? { 'view-uuid': change.uuid } : {}),
          ...change.operation,
        };
  return {
    id: ctx.newUuid(),
    warehouse,
    type: `${EVENT_TYPE_PREFIX}${change.kind}`,
    subject,
    partitionKey: change.uuid ?? change.key ?? warehouse,
    timeMs: ctx.clock.now(),
    data: {
      warehouse,
      ...(namespace ? { namespace } : {}),
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.uuid ? { 'table-uuid': change.uuid } : {}),
      caller: callerData(caller),
      ...(operation ? { operation } : {}),
      ...change.data,
    },
  };
}

/** Records changes in the outbox of the transaction `tx` (its last write: see OutboxWriter). */
export async function recordChanges(ctx: ChangeContext, tx: OutboxWriter, warehouse: string, caller: Caller, ...changes: Change[]): Promise<void> {
  if (changes.length === 0) return;
  await tx.appendEvents(changes.map((c) => changeEvent(ctx, warehouse, caller, c)));
}

/** The parts of Iceberg table updates an event carries: each action, and for snapshots their ids, operation and summary (never whole schemas). */
export function compactUpdates(updates: readonly unknown[]): Array<Record<string, unknown>> {
  return updates.map((u) => {
    const update = (u ?? {}) as Record<string, unknown>;
    const action = typeof update.action === 'string' ? update.action : 'unknown';
    switch (action) {
      case 'add-snapshot':
        return { action, snapshot: snapshotOf(update.snapshot) };
      case 'set-snapshot-ref':
        return pick(update, ['action', 'ref-name', 'type', 'snapshot-id']);
      case 'remove-snapshots':
        return pick(update, ['action', 'snapshot-ids']);
      case 'remove-snapshot-ref':
        return pick(update, ['action', 'ref-name']);
      case 'set-current-schema':
        return pick(update, ['action', 'schema-id']);
      case 'set-default-spec':
        return pick(update, ['action', 'spec-id']);
      case 'set-location':
        return pick(update, ['action', 'location']);
      case 'set-properties':
        return { action, updated: Object.keys((update.updates ?? {}) as object) };
      case 'remove-properties':
        return pick(update, ['action', 'removals']);
      default:
        return { action };
    }
  });
}

/** The snapshots a change adds: their ids, sequence numbers, operation and summary. */
export function addedSnapshots(updates: readonly unknown[]): Array<Record<string, unknown>> {
  return updates.filter((u) => (u as { action?: unknown })?.action === 'add-snapshot').map((u) => snapshotOf((u as { snapshot?: unknown }).snapshot));
}

function snapshotOf(s: unknown): Record<string, unknown> {
  const snapshot = (s ?? {}) as Record<string, unknown>;
  const summary = (snapshot.summary ?? {}) as Record<string, unknown>;
  return {
    ...pick(snapshot, ['snapshot-id', 'parent-snapshot-id', 'sequence-number', 'timestamp-ms']),
    ...(typeof summary.operation === 'string' ? { operation: summary.operation } : {}),
    summary,
  };
}

function pick(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
