/**
 * Service SAS tokens signed with the account key: the only thing that scopes
 * a vended Azure credential, so it must name the narrowest resource it can.
 *
 * - `directory` scope: a directory SAS (sr=d, sdd = depth of the directory)
 *   on the table's location. It reaches the blobs below that directory and
 *   nothing beside it. Only accounts with a hierarchical namespace (ADLS
 *   Gen2) accept it.
 * - `container` scope: a container SAS (sr=c). It reaches every blob of the
 *   container: the fallback for accounts without a hierarchical namespace
 *   and for Azurite, which implements no directory SAS.
 *
 * Permissions are the same letters for both resources (Azure documents
 * r a c w d l for container and directory SAS alike): read → `rl` (read,
 * list); read-write → `racwdl` (also add, create, write, delete). Move,
 * execute, ownership and permission changes are never granted.
 * The SAS allows plain HTTP only when the account's endpoint is plain HTTP
 * (an emulator); against Azure it is HTTPS only.
 * Signing is the Azure SDK's (its string-to-sign for the SDK's service
 * version), so a new signing format arrives with an SDK upgrade.
 */
import {
  DirectorySASPermissions,
  FileSystemSASPermissions,
  generateDataLakeSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
} from '@azure/storage-file-datalake';
import type { AccessMode } from '../vending.js';

export type SasScope = 'directory' | 'container';

export const SAS_PERMISSIONS: Record<AccessMode, string> = {
  read: 'rl',
  'read-write': 'racwdl',
};

export interface SasRequest {
  account: string;
  /** The account key (base64). */
  accountKey: string;
  container: string;
  /** The directory a `directory` SAS covers, without leading or trailing slash. Ignored for `container`. */
  directory: string;
  scope: SasScope;
  mode: AccessMode;
  expiresOn: Date;
  /** Whether the SAS may be used over plain HTTP (emulators only). */
  allowHttp: boolean;
}

/** The SAS query string (no leading '?'). Throws TypeError for a request no SAS should be built from. */
export function buildSas(request: SasRequest): string {
  const letters = SAS_PERMISSIONS[request.mode];
  if (!letters) throw new TypeError(`no SAS permissions for access mode ${JSON.stringify(request.mode)}`);
  const directory = request.directory.replace(/^\/+|\/+$/g, '');
  if (request.scope === 'directory' && directory === '') throw new TypeError('a directory SAS needs a directory below the container');
  if (request.scope !== 'directory' && request.scope !== 'container') throw new TypeError(`unknown SAS scope ${JSON.stringify(request.scope)}`);
  const credential = new StorageSharedKeyCredential(request.account, request.accountKey);
  const common = {
    fileSystemName: request.container,
    expiresOn: request.expiresOn,
    protocol: request.allowHttp ? SASProtocol.HttpsAndHttp : SASProtocol.Https,
  };
  const params =
    request.scope === 'directory'
      ? generateDataLakeSASQueryParameters(
          { ...common, pathName: directory, isDirectory: true, permissions: DirectorySASPermissions.parse(letters) },
          credential,
        )
      : generateDataLakeSASQueryParameters({ ...common, permissions: FileSystemSASPermissions.parse(letters) }, credential);
  return params.toString();
}
