/** Existence checks of the Iceberg catalog client: a not-found answer is `false`, any other failure is thrown. */
import { isNotFound } from '../errors.js';

export function falseIfNotFound(e: unknown): false {
  if (isNotFound(e)) return false;
  throw e;
}
