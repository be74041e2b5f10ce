/**
 * Text a catalog database cannot keep as it was sent: PostgreSQL refuses U+0000 in text (the driver's error was a
 * 500 wherever a request's name or value reached a statement: a role member, an explained subject, a warehouse in a
 * path), and both drivers encode a lone UTF-16 surrogate as U+FFFD (a name stored other than it was sent, then never
 * found by it). Every statement's parameters are checked here before they reach the driver (mapped-driver.ts), so
 * such a value is a 400 that says why, on every surface and either store, whichever field carried it. Rules that
 * know the field (catalog/identifiers.ts) still refuse it first, naming the field.
 */
import { LONE_SURROGATE } from '../catalog/identifiers.js';
import { CatalogError } from '../errors/catalog-error.js';

const SUSPECT = /[\u0000\ud800-\udfff]/;

function check(value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) check(v);
    return;
  }
  if (typeof value !== 'string' || !SUSPECT.test(value)) return;
  if (value.includes('\u0000')) throw new CatalogError('ERR_VALIDATION', 'a name or value of the request holds U+0000 (NUL), which the catalog cannot store');
  if (LONE_SURROGATE.test(value))
    throw new CatalogError(
      'ERR_VALIDATION',
      'a name or value of the request holds a lone UTF-16 surrogate (not well-formed Unicode), which the catalog cannot store',
    );
}

/** Fails with ERR_VALIDATION when a statement's parameter is text the database would refuse or change. */
export function checkStorableParameters(parameters: readonly unknown[]): void {
  for (const p of parameters) check(p);
}
