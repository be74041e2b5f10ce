/**
 * Every operation Lakegate serves, by surface, and lookups on them: by operation id, by method and path, and
 * the Iceberg endpoints to advertise in GET /v1/config.
 */
import { EVERY_OPERATION } from './every.js';
import { type TObject, Type } from '@sinclair/typebox';
import type { OperationSpec, Surface } from './types.js';

export * from './types.js';
export * from './request-types.js';

export type { KnownOperation } from './every.js';

/** Every operation, Iceberg first. */
export const OPERATIONS: readonly OperationSpec[] = EVERY_OPERATION;

const byId = new Map<string, OperationSpec>();
for (const op of OPERATIONS) {
  if (byId.has(op.operationId)) throw new TypeError(`operation id ${op.operationId} is defined twice`);
  byId.set(op.operationId, op);
}

/**
 * The operation with this id; throws a TypeError for an unknown id (a bug in the caller).
 *
 * @example
 * ```ts
 * const { method, path } = operation('loadTable'); // 'GET', '/v1/{prefix}/namespaces/{namespace}/tables/{table}'
 * ```
 */
export function operation(operationId: string): OperationSpec {
  const found = byId.get(operationId);
  if (!found) throw new TypeError(`no operation ${operationId}`);
  return found;
}

/** The path prefix each surface is mounted at on the server (routes register the rest of the path). */
export const SURFACE_MOUNTS: Readonly<Record<Surface, string>> = { iceberg: '/v1', lance: '/lance', oauth: '', management: '/management/v1' };

/**
 * An operation's route as a Fastify surface plugin registers it: the path below the surface's mount, with
 * `:name` parameters.
 *
 * @example
 * ```ts
 * routePath(operation('loadTable')); // '/:prefix/namespaces/:namespace/tables/:table' (under /v1)
 * ```
 */
export function routePath(op: OperationSpec): string {
  const mount = SURFACE_MOUNTS[op.surface];
  if (!op.path.startsWith(`${mount}/`)) throw new TypeError(`${op.operationId}: ${op.path} is not under ${mount}`);
  return op.path.slice(mount.length).replace(/\{([^}]+)\}/g, (_m, name: string) => `:${routeParamName(name)}`);
}

/**
 * A path parameter's name as the server's router sees it: Fastify's router ends a parameter name at `-` (it reads
 * `/:plan-id` as the parameter `plan` followed by the text `-id`), so a spec name with dashes (Iceberg's `{plan-id}`)
 * is routed camel-cased (`:planId`); the contract and the advertised endpoints keep the spec's name.
 *
 * @example
 * ```ts
 * routeParamName('plan-id'); // 'planId'
 * ```
 */
export const routeParamName = (name: string): string => name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** An operation's path parameter schema with the names its route uses (see {@link routeParamName}). */
export function routeParams(op: OperationSpec): TObject | undefined {
  if (!op.params) return undefined;
  const names = Object.keys(op.params.properties);
  if (names.every((n) => routeParamName(n) === n)) return op.params;
  return Type.Object(Object.fromEntries(names.map((n) => [routeParamName(n), op.params!.properties[n]!])));
}

/**
 * The `endpoints` list of GET /v1/config: `"<METHOD> <path>"` of each advertised Iceberg operation, restricted
 * to the given operation ids when given (the ones the server registered).
 *
 * @example
 * ```ts
 * icebergEndpoints(['loadTable']); // ['GET /v1/{prefix}/namespaces/{namespace}/tables/{table}']
 * ```
 */
export function icebergEndpoints(registered?: Iterable<string>): string[] {
  const only = registered === undefined ? undefined : new Set(registered);
  return OPERATIONS.filter((op) => op.surface === 'iceberg' && op.advertised && (only === undefined || only.has(op.operationId))).map(
    (op) => `${op.method} ${op.path}`,
  );
}
