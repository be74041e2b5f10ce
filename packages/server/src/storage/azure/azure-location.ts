/**
 * Azure Storage locations, in the two spellings Iceberg's ADLSFileIO and
 * Hadoop accept for the same blobs:
 *   abfs[s]://<container>@<account>.dfs.<suffix>/<path>   (ADLS Gen2, the canonical form)
 *   wasb[s]://<container>@<account>.blob.<suffix>/<path>  (Blob service)
 * with <suffix> core.windows.net or a sovereign cloud's. An emulator such as
 * Azurite keeps these canonical names: the storage profile's `endpoint` says
 * where requests really go (as Iceberg's own Azurite tests do).
 * The host (account.dfs.core.windows.net) is what clients key their
 * per-account properties by (`adls.sas-token.<host>`), so it is kept as given.
 * Paths are taken literally, never percent-decoded, so the path a SAS names
 * and the path a client writes are the same string.
 */
import { validation } from '../../errors/catalog-error.js';

export const AZURE_SCHEMES = ['abfs', 'abfss', 'wasb', 'wasbs'] as const;

export interface AzureLocation {
  scheme: 'abfs' | 'abfss' | 'wasb' | 'wasbs';
  container: string;
  account: string;
  /** The authority's host, e.g. account.dfs.core.windows.net. */
  host: string;
  /** The blob name or name prefix, without a leading slash; '' for the container itself. */
  path: string;
}

const URI = /^(abfss?|wasbs?):\/\/([^/?#]*)(\/[^?#]*)?$/i;
const ACCOUNT = /^[a-z0-9]{3,24}$/;
// Container names: 3..63 of lowercase letters, digits and single hyphens, starting and ending with a letter or digit.
const CONTAINER = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
const SUFFIX = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;
const MAX_PATH_CHARS = 1024;

/** True when the URI has one of the Azure schemes (it may still be malformed). */
export const isAzureUri = (uri: string): boolean => /^(abfss?|wasbs?):\/\//i.test(uri);

/** Parses an abfs(s):// or wasb(s):// location; anything else is ERR_VALIDATION. */
export function parseAzureLocation(uri: string): AzureLocation {
  if (typeof uri !== 'string') throw validation('Azure location must be a string');
  if (/[\u0000-\u001f\u007f]/.test(uri)) throw validation('Azure location must not contain control characters');
  const m = URI.exec(uri);
  if (!m) throw validation(`location ${JSON.stringify(uri.split(':')[0])} is not an abfss:// or wasbs:// location`);
  const scheme = m[1]!.toLowerCase() as AzureLocation['scheme'];
  const authority = m[2]!;
  const at = authority.indexOf('@');
  if (at <= 0) throw validation('Azure location needs a container: <scheme>://<container>@<account>.<service>.core.windows.net/<path>');
  const container = authority.slice(0, at);
  const host = authority.slice(at + 1).toLowerCase();
  if (!CONTAINER.test(container)) throw validation(`Azure location has an invalid container name: ${JSON.stringify(container)}`);
  const [account, service, ...suffix] = host.split('.');
  const expected = scheme.startsWith('abfs') ? 'dfs' : 'blob';
  if (!account || !ACCOUNT.test(account)) throw validation(`Azure location has an invalid storage account: ${JSON.stringify(account ?? '')}`);
  if (service !== expected || !SUFFIX.test(suffix.join('.'))) {
    throw validation(`a ${scheme}:// location must name the account's ${expected} endpoint, e.g. ${account}.${expected}.core.windows.net`);
  }
  const path = (m[3] ?? '').replace(/^\//, '');
  if (path.startsWith('/') || path.includes('//')) throw validation('Azure location must not have empty path segments');
  if (path.length > MAX_PATH_CHARS) throw validation(`Azure blob name is longer than ${MAX_PATH_CHARS} characters`);
  return { scheme, container, account, host, path };
}

/** A directory-like name prefix: the path with exactly one trailing slash ('' for the container root). */
export function directoryPath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/** The default blob service URL of an account on Azure's public cloud. */
export const defaultBlobEndpoint = (account: string): string => `https://${account}.blob.core.windows.net`;
