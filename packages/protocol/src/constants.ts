/**
 * `@lakegate/protocol/constants`: plain lists of the wire contract's values, with no TypeBox (or any other) import,
 * for code that wants the values without the schemas, such as the web console's browser bundle. The schemas build
 * their unions from the same lists.
 */

/** The column-mask actions of a policy (the read-restriction actions of the REST proposal, apache/iceberg#13879). */
export const POLICY_MASK_ACTIONS = [
  'replace-with-null',
  'mask-to-fixed-value',
  'sha-256-query-local',
  'sha-256-global',
  'mask-alphanum',
  'truncate-to-year',
  'truncate-to-month',
  'show-first-4',
  'show-last-4',
] as const;
