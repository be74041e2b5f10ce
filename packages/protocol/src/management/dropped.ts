/**
 * Soft-deleted (dropped) objects of a warehouse, kept for its `drop.retention-ms` (default 7 days), and restoring
 * one (undrop). See docs/architecture.md (maintenance) and docs/authorization.md (warehouse:list-dropped, warehouse:undrop).
 */
import { type Static, Type } from '@sinclair/typebox';

export const DroppedObject = Type.Object(
  {
    id: Type.String({ description: 'The catalog id of the object (kept by an undrop, with the grants that name it)' }),
    kind: Type.Union([Type.Literal('table'), Type.Literal('view'), Type.Literal('lance-table')]),
    namespace: Type.Array(Type.String()),
    name: Type.String(),
    location: Type.String(),
    'dropped-at-ms': Type.Integer(),
    'expires-at-ms': Type.Integer({ description: 'When the retention ends: the object is forgotten then (and its files deleted when `purge`)' }),
    purge: Type.Boolean({ description: 'Whether its files are deleted when the retention ends' }),
    'dropped-by': Type.String(),
  },
  { $id: 'DroppedObject' },
);
export type DroppedObject = Static<typeof DroppedObject>;

export const ListDroppedObjectsResponse = Type.Object(
  { dropped: Type.Array(Type.Ref(DroppedObject)), 'next-page-token': Type.Optional(Type.String()) },
  { $id: 'ListDroppedObjectsResponse' },
);
export type ListDroppedObjectsResponse = Static<typeof ListDroppedObjectsResponse>;

export const UndropRequest = Type.Object(
  {
    namespace: Type.Optional(Type.Array(Type.String(), { description: 'Restore into this namespace (default: the one it was dropped from)' })),
    name: Type.Optional(Type.String({ description: 'Restore under this name (default: its own; needed when that name was taken since)' })),
  },
  { $id: 'UndropRequest', additionalProperties: false },
);
export type UndropRequest = Static<typeof UndropRequest>;

/** Named schemas of this file. */
export const MANAGEMENT_DROPPED_SCHEMAS = [DroppedObject, ListDroppedObjectsResponse, UndropRequest];
