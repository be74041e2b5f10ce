/**
 * Requests generated from the wire contract for tests that walk every operation (null-fields, unknown-keys): the
 * operation's path with generated parameters, and its surface's error envelope as the contract publishes it.
 */
import { IcebergErrorResponse, LanceErrorResponse, OPERATIONS, type OperationSpec } from '@lakegate/protocol';
import { RequestValidation } from '@lakegate/protocol/validation';
import { example } from './schema-example.js';

const validation = new RequestValidation();

/** The operations whose body is JSON. */
export const JSON_BODY_OPERATIONS = OPERATIONS.filter((op) => op.body?.contentType === 'application/json');

/** The operation's path with generated parameters (the default warehouse where one is named). */
export function pathOf(op: OperationSpec): string {
  const params = (op.params ? example(op.params).value : {}) as Record<string, unknown>;
  return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(name === 'prefix' || name === 'warehouse' ? 'default' : String(params[name])));
}

/** What is wrong with an error body, checked against the surface's envelope (empty when it fits). */
export function envelopeIssues(op: OperationSpec, body: unknown): string[] {
  const check = validation.compile(op.surface === 'lance' ? LanceErrorResponse : IcebergErrorResponse, 'body');
  return check(body) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** The message of an error body in the surface's envelope. */
export const messageOf = (op: OperationSpec, body: any): string => String(op.surface === 'lance' ? body?.error : body?.error?.message);
