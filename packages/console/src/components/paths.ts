/** The console's own URLs for catalog objects: namespace levels joined by U+001F (what Iceberg REST uses) in one path segment. */
export type Kind = 'table' | 'view' | 'lance';

/**
 * One path segment for a name (or levels joined by U+001F). The router hands params through decodeURI, which decodes
 * %25 to "%" but leaves reserved characters escaped (%2F): a name holding a literal "%2F" (sent %252F) and one
 * holding "/" (sent %2F) would then read the same. So "%" is escaped twice (%2525), decodeURI leaves %25, and
 * levelsOf undoes the rest in one pass.
 */
const segment = (text: string): string => encodeURIComponent(text).replace(/%25/g, '%2525');
export const nsParam = (levels: string[]): string => segment(levels.join('\u001f'));

/** The inverse of nsParam after the router's decodeURI: the escapes it left (reserved characters and %25), in one pass. */
export function levelsOf(param: string | undefined): string[] {
  if (!param) return [];
  const decoded = param.replace(/%(25|2F|3F|23|24|26|2B|2C|3A|3B|3D|40)/gi, (m) => decodeURIComponent(m));
  return decoded.split('\u001f');
}

export const nameOf = (param: string | undefined): string => levelsOf(param).join('\u001f');

export const warehousePath = (warehouse: string) => `/catalog/${encodeURIComponent(warehouse)}`;
export const namespacePath = (warehouse: string, levels: string[]) => `${warehousePath(warehouse)}/ns/${nsParam(levels)}`;
export const objectPath = (warehouse: string, kind: Kind, levels: string[], name: string) =>
  `${warehousePath(warehouse)}/${kind}/${nsParam(levels)}/${segment(name)}`;

/** How people read a namespace: levels joined by dots (a level with a dot is quoted). */
export const showNamespace = (levels: string[]): string => levels.map((l) => (l.includes('.') ? `"${l}"` : l)).join('.');
