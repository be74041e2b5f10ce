/** The console's own URLs for catalog objects: namespace levels joined by U+001F (what Iceberg REST uses) in one path segment. */
export type Kind = 'table' | 'view' | 'lance';

export const nsParam = (levels: string[]): string => encodeURIComponent(levels.join('\u001f'));

/** The router hands params through decodeURI, which leaves reserved characters escaped: those are undone here. */
export function levelsOf(param: string | undefined): string[] {
  if (!param) return [];
  const decoded = param.replace(/%(2F|3F|23|24|26|2B|2C|3A|3B|3D|40)/gi, (m) => decodeURIComponent(m));
  return decoded.split('\u001f');
}

export const nameOf = (param: string | undefined): string => levelsOf(param).join('\u001f');

export const warehousePath = (warehouse: string) => `/catalog/${encodeURIComponent(warehouse)}`;
export const namespacePath = (warehouse: string, levels: string[]) => `${warehousePath(warehouse)}/ns/${nsParam(levels)}`;
export const objectPath = (warehouse: string, kind: Kind, levels: string[], name: string) => `${warehousePath(warehouse)}/${kind}/${nsParam(levels)}/${encodeURIComponent(name)}`;

/** How people read a namespace: levels joined by dots (a level with a dot is quoted). */
export const showNamespace = (levels: string[]): string => levels.map((l) => (l.includes('.') ? `"${l}"` : l)).join('.');
