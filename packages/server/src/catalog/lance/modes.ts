/**
 * The mode and behavior words of the Lance namespace spec. They are case
 * insensitive and come in PascalCase or snake_case ("ExistOk", "exist_ok"),
 * so they are compared with case and underscores removed.
 */
import { validation } from '../../errors/catalog-error.js';

function pick<T extends string>(value: unknown, what: string, allowed: Record<string, T>, fallback: T): T {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') throw validation(`${what} must be a string`);
  const found = allowed[value.replace(/_/g, '').toLowerCase()];
  if (!found) throw validation(`${what} must be one of ${Object.values(allowed).join(', ')}`);
  return found;
}

export type CreateNamespaceMode = 'create' | 'exist-ok' | 'overwrite';
export const createNamespaceMode = (v: unknown) =>
  pick<CreateNamespaceMode>(v, 'mode', { create: 'create', existok: 'exist-ok', overwrite: 'overwrite' }, 'create');

export type DropNamespaceMode = 'fail' | 'skip';
export const dropNamespaceMode = (v: unknown) => pick<DropNamespaceMode>(v, 'mode', { fail: 'fail', skip: 'skip' }, 'fail');

export type DropNamespaceBehavior = 'restrict' | 'cascade';
export const dropNamespaceBehavior = (v: unknown) => pick<DropNamespaceBehavior>(v, 'behavior', { restrict: 'restrict', cascade: 'cascade' }, 'restrict');

export type RegisterTableMode = 'create' | 'overwrite';
export const registerTableMode = (v: unknown) => pick<RegisterTableMode>(v, 'mode', { create: 'create', overwrite: 'overwrite' }, 'create');
