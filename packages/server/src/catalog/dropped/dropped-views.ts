/** A dropped object or namespace as the listing and undrop answer it: the management API's wire shape. */
import type { DroppedObject } from '@lakegate/protocol';

export type DroppedObjectView = DroppedObject;

/** A dropped namespace, shown as a dropped object of kind "namespace" (namespace: its parent, name: its last level). */
export type DroppedNamespaceView = DroppedObject & { kind: 'namespace' };
