/**
 * Every operation's description with its literal types kept: the request types (./request-types.ts) read them, and
 * ./index.ts serves them as OPERATIONS.
 */
import { ICEBERG_NAMESPACE_OPERATIONS } from './iceberg-namespaces.js';
import { ICEBERG_SIGNING_OPERATIONS } from './iceberg-signing.js';
import { ICEBERG_PLANNING_OPERATIONS } from './iceberg-planning.js';
import { ICEBERG_TABLE_OPERATIONS } from './iceberg-tables.js';
import { ICEBERG_VIEW_OPERATIONS } from './iceberg-views.js';
import { LANCE_OPERATIONS } from './lance.js';
import { LANCE_VERSION_OPERATIONS } from './lance-versions.js';
import { LANCE_BRANCH_OPERATIONS } from './lance-branches.js';
import { LANCE_TAG_OPERATIONS } from './lance-tags.js';
import { LANCE_MATERIALIZED_VIEW_OPERATIONS } from './lance-materialized-views.js';
import { MANAGEMENT_OPERATIONS } from './management.js';
import { POLICY_OPERATIONS } from './management-policies.js';
import { LABEL_OPERATIONS } from './labels.js';
import { FUNCTION_MANAGEMENT_OPERATIONS, ICEBERG_FUNCTION_OPERATIONS } from './functions.js';
import { MANAGEMENT_EVENT_OPERATIONS } from './management-events.js';
import { OAUTH_OPERATIONS } from './oauth.js';
import { TRINO_OPA_OPERATIONS } from './trino-opa.js';

/** Every operation, Iceberg first. */
export const EVERY_OPERATION = [
  ...ICEBERG_NAMESPACE_OPERATIONS,
  ...ICEBERG_TABLE_OPERATIONS,
  ...ICEBERG_SIGNING_OPERATIONS,
  ...ICEBERG_PLANNING_OPERATIONS,
  ...ICEBERG_VIEW_OPERATIONS,
  ...ICEBERG_FUNCTION_OPERATIONS,
  ...LANCE_OPERATIONS,
  ...LANCE_VERSION_OPERATIONS,
  ...LANCE_BRANCH_OPERATIONS,
  ...LANCE_TAG_OPERATIONS,
  ...LANCE_MATERIALIZED_VIEW_OPERATIONS,
  ...OAUTH_OPERATIONS,
  ...MANAGEMENT_OPERATIONS,
  ...POLICY_OPERATIONS,
  ...LABEL_OPERATIONS,
  ...FUNCTION_MANAGEMENT_OPERATIONS,
  ...MANAGEMENT_EVENT_OPERATIONS,
  ...TRINO_OPA_OPERATIONS,
];

/** One operation's description, its literal types kept. */
export type KnownOperation = (typeof EVERY_OPERATION)[number];
