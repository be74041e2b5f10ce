/**
 * The Credential Access Boundary of a vended GCS token. It is the only thing
 * that scopes the token: Google's STS intersects it with the source
 * credential's own IAM permissions, so everything outside the table prefix
 * must stay unreachable.
 *
 * - One rule on the bucket (`//storage.googleapis.com/projects/_/buckets/<b>`),
 *   with the permissions of a predefined role by mode: read →
 *   roles/storage.objectViewer (get, list); read-write →
 *   roles/storage.objectAdmin (also create, overwrite, delete).
 * - Its availability condition (CEL) admits objects whose name starts with
 *   `<prefix>/` (the slash keeps `t1` from reaching `t10`), and object
 *   listings whose prefix starts with `<prefix>/`: listing is a bucket-level
 *   call that names no object, so it is matched by the
 *   `storage.googleapis.com/objectListPrefix` attribute. Not the bare
 *   `<prefix>`, a string prefix that would list sibling names such as
 *   `<prefix>0/` (the same rule as the S3 session policy).
 * - The prefix is embedded in CEL string literals: names holding a quote, a
 *   backslash or a control character are refused rather than escaped.
 * - Never a whole bucket: an empty prefix is refused.
 * - Sealed Lance manifests (VendRequest.sealed, a table of catalog-managed versions), read-write: three rules, since
 *   a boundary only grants: objectViewer as above; objectCreator (create, never overwrite or delete) on the prefix's
 *   objects whose name does not end in `.manifest` (`!resource.name.endsWith(…)`), so a published manifest cannot be
 *   created while staged manifests (`<n>.manifest-<uuid>`) and every other new file can; and objectAdmin only on
 *   `<prefix>/_refs/` (the tags and branch references Lance clients keep on storage) and staged manifests. So no
 *   writer deletes or overwrites a file of the table: pylance's own `cleanup_old_versions` deleted the data files of
 *   versions the catalog still lists (the S3 session policy says more). Not checked against Google's STS here (no
 *   emulator enforces boundaries): unit-tested for its shape only.
 * - The catalog's own files (issue 53: `<prefix>/_lakegate/`, the policy-enforced files restricted readers get), every
 *   read-write boundary: since a boundary cannot deny, writing is granted by its own rule whose condition leaves out
 *   `<prefix>/_lakegate/` (`&& !resource.name.startsWith(…)`), beside an objectViewer rule that keeps reads and
 *   listings of the whole prefix, that folder included. Unit-tested for its shape only, as above.
 */
import { validation } from '../../errors/catalog-error.js';
import { type AccessMode, CATALOG_FOLDER, LANCE_MANIFEST_SUFFIX, type SealedObjects } from '../vending.js';
import type { GcsLocation } from './gcs-location.js';

export interface AccessBoundaryRule {
  availableResource: string;
  availablePermissions: string[];
  availabilityCondition: { title: string; expression: string };
}

export interface CredentialAccessBoundary {
  accessBoundary: { accessBoundaryRules: AccessBoundaryRule[] };
}

export const ROLE_BY_MODE: Record<AccessMode, string> = {
  read: 'inRole:roles/storage.objectViewer',
  'read-write': 'inRole:roles/storage.objectAdmin',
};

/** Creating objects only: a name that exists cannot be overwritten or deleted with it. */
const CREATE_ONLY = 'inRole:roles/storage.objectCreator';

/** The boundary granting `mode` under the location's name prefix. */
export function buildAccessBoundary(location: GcsLocation, mode: AccessMode, sealed?: SealedObjects): CredentialAccessBoundary {
  const prefix = location.name.replace(/\/+$/, '');
  if (prefix === '') throw validation('a vended GCS credential must be scoped to a name prefix, not a whole bucket');
  if (/['"\\`]/.test(prefix)) throw validation('GCS locations with quotes or backslashes cannot be scoped by a Credential Access Boundary');
  const role = ROLE_BY_MODE[mode];
  if (!role) throw new TypeError(`no GCS role for access mode ${JSON.stringify(mode)}`);
  const objectsUnder = (namePrefix: string) => `resource.name.startsWith('projects/_/buckets/${location.bucket}/objects/${namePrefix}')`;
  const objects = objectsUnder(`${prefix}/`);
  const listing = `api.getAttribute('storage.googleapis.com/objectListPrefix', '').startsWith('${prefix}/')`;
  const availableResource = `//storage.googleapis.com/projects/_/buckets/${location.bucket}`;
  const title = (m: string) => `lakegate ${m} ${location.bucket}/${prefix}/`.slice(0, 100);
  // Writes never reach the catalog's own folder (issue 53).
  const notCatalog = `!${objectsUnder(`${prefix}/${CATALOG_FOLDER}/`)}`;
  const read: AccessBoundaryRule = {
    availableResource,
    availablePermissions: [ROLE_BY_MODE.read],
    availabilityCondition: { title: title('read'), expression: `${objects} || ${listing}` },
  };
  if (sealed === 'lance-manifests' && mode === 'read-write') {
    return {
      accessBoundary: {
        accessBoundaryRules: [
          read,
          {
            availableResource,
            availablePermissions: [CREATE_ONLY],
            availabilityCondition: {
              title: title('create, manifests sealed'),
              expression: `${objects} && !resource.name.endsWith('${LANCE_MANIFEST_SUFFIX}') && ${notCatalog}`,
            },
          },
          {
            availableResource,
            availablePermissions: [role],
            availabilityCondition: {
              title: title('refs and staged manifests'),
              expression: `${objectsUnder(`${prefix}/_refs/`)} || (${objects} && resource.name.contains('${LANCE_MANIFEST_SUFFIX}-') && ${notCatalog})`,
            },
          },
        ],
      },
    };
  }
  if (mode === 'read-write') {
    return {
      accessBoundary: {
        accessBoundaryRules: [
          read,
          { availableResource, availablePermissions: [role], availabilityCondition: { title: title('write'), expression: `${objects} && ${notCatalog}` } },
        ],
      },
    };
  }
  return {
    accessBoundary: {
      accessBoundaryRules: [
        { availableResource, availablePermissions: [role], availabilityCondition: { title: title(mode), expression: `${objects} || ${listing}` } },
      ],
    },
  };
}
