/**
 * The Hive Metastore's failures as Lakegate's codes (catalog/ports/remote-catalog.ts). HMS declares its exceptions per
 * call (NoSuchObjectException, AlreadyExistsException, ...); each call site names which result field means which code.
 * An unreachable or silent metastore is ERR_UNAVAILABLE (503 + Retry-After at the edge); a MetaException, an
 * answer that is not a reply, a certificate that fails TLS verification, a client certificate the metastore's TLS
 * end wants or refuses, or a login it refuses or wants (settings to fix, not outages to wait out) is ERR_REMOTE_INVALID
 * (502 with HMS's message, which never holds a Lakegate secret: the client key and the password are never put in a
 * message, and a SASL refusal is scrubbed of the password).
 */
import { CatalogError, type CatalogErrorCode } from '../../errors/catalog-error.js';
import { HmsException, HmsTransportError } from './hms-client.js';

export const invalid = (reason: string) => new CatalogError('ERR_REMOTE_INVALID', `The Hive metastore's answer is not valid: ${reason}`);
export const unavailable = (reason: string) => new CatalogError('ERR_UNAVAILABLE', `The Hive metastore is unavailable: ${reason}`);

/** The message HMS 4 gives when an alter_table's expected parameter value (the base metadata_location) is stale. */
const MODIFIED = 'The table has been modified';

/** A declared exception's code by its result field id (the others: ERR_REMOTE_INVALID with HMS's message). */
export type HmsCodes = Partial<Record<number, CatalogErrorCode>>;

export function hmsError(e: unknown, codes: HmsCodes): CatalogError {
  if (e instanceof CatalogError) return e;
  if (e instanceof HmsTransportError) {
    if (e.kind === 'tls') return new CatalogError('ERR_REMOTE_INVALID', `The Hive metastore is not trusted: ${e.message}`);
    if (e.kind === 'login') return new CatalogError('ERR_REMOTE_INVALID', `Lakegate could not log in to the Hive metastore: ${e.message}`);
    if (e.kind === 'auth') return new CatalogError('ERR_REMOTE_INVALID', `The Hive metastore did not accept Lakegate's login: ${e.message}`);
    if (e.kind === 'tls-client') return new CatalogError('ERR_REMOTE_INVALID', `The Hive metastore did not accept Lakegate's TLS client: ${e.message}`);
    return e.kind === 'protocol' ? invalid(e.message) : unavailable(e.message);
  }
  if (e instanceof HmsException) {
    if (e.message.includes(MODIFIED))
      return new CatalogError('ERR_COMMIT_CONFLICT', `The Hive table changed concurrently (${e.method}): retry on the new metadata`);
    const code = codes[e.field];
    if (code !== undefined) return new CatalogError(code, `${e.method}: ${e.message || 'refused'}`);
    return new CatalogError('ERR_REMOTE_INVALID', `The Hive metastore refused ${e.method}: ${e.message || `exception ${e.field}`}`);
  }
  return invalid((e as Error)?.message?.slice(0, 300) ?? 'unknown failure');
}
