/**
 * set-properties and remove-properties, as the table and the view metadata builders both apply them: only keys whose
 * value changes count; every one is checked before any is set (a bad value leaves the properties as they were); a
 * call that changed something answers the one change to record, with exactly those keys, and a call that changed
 * nothing answers none.
 */

export interface SetPropertiesChange {
  action: 'set-properties';
  updates: Record<string, string>;
}

export interface RemovePropertiesChange {
  action: 'remove-properties';
  removals: string[];
}

export function setProperties(
  properties: Map<string, string>,
  updates: Iterable<readonly [string, string]>,
  check: (key: string, value: string) => void,
): SetPropertiesChange | undefined {
  const changed = [...updates].filter(([k, v]) => properties.get(k) !== v);
  if (changed.length === 0) return undefined;
  for (const [k, v] of changed) check(k, v);
  for (const [k, v] of changed) properties.set(k, v);
  return { action: 'set-properties', updates: Object.fromEntries(changed) };
}

export function removeProperties(properties: Map<string, string>, keys: readonly string[]): RemovePropertiesChange | undefined {
  const removals = keys.filter((k) => properties.delete(k));
  return removals.length > 0 ? { action: 'remove-properties', removals } : undefined;
}
