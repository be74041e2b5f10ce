/** A dropped object or namespace as the listing and undrop answer it (the management API's wire shape). */
export interface DroppedObjectView {
  id: string;
  kind: string;
  namespace: string[];
  name: string;
  location: string;
  'dropped-at-ms': number;
  'expires-at-ms': number;
  purge: boolean;
  'dropped-by': string;
  /** The namespace whose cascading drop took it: an undrop of that namespace restores it too. */
  'dropped-with'?: string;
}

/** A dropped namespace, shown as a dropped object of kind "namespace" (namespace: its parent, name: its last level). */
export interface DroppedNamespaceView extends DroppedObjectView {
  kind: 'namespace';
}
