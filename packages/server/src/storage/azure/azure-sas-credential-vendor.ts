/**
 * Azure credential vending: a service SAS (azure-sas.ts) signed locally with
 * the account key, so vending needs no call to Azure and cannot fail for
 * want of a token service. The SAS is limited to the table's directory when
 * the profile says the account supports directory SAS (`sas-scope:
 * directory`), otherwise to the container; it is never an account SAS.
 *
 * The returned properties are the ones Iceberg's clients read, keyed by the
 * location's host (account.dfs.core.windows.net):
 * - `adls.sas-token.<host>` and `adls.sas-token-expires-at-ms.<host>`: Iceberg
 *   Java's AzureProperties / VendedAdlsCredentialProvider; PyIceberg's
 *   FsspecFileIO reads the first (taking the account name from the host's
 *   first label).
 * - With a custom endpoint (an emulator): `adls.connection-string.<host>`, which
 *   Iceberg Java hands to its client builder as the endpoint URL.
 * PyIceberg 0.12's PyArrowFileIO reads only unsuffixed keys (`adls.sas-token`,
 * `adls.account-name`, `adls.blob-storage-authority`), but it cannot address
 * container@account locations at all (it passes "container@host/path" to
 * Arrow as the path), so nothing is vended for it.
 * The account key itself never leaves the catalog.
 *
 * `sealed` (VendRequest: a Lance table's published manifests) cannot be expressed and is not applied: a service SAS
 * grants its permissions (sp) on every blob of its one resource (sr=c the container, sr=d a directory and everything
 * below it, sr=b one blob), with no exclusion by name or suffix, and Lance takes one SAS per store. A read-write SAS on
 * a table of catalog-managed versions can therefore still write `_versions/` (docs/security.md). For the same reason
 * a read-write SAS can still write the catalog's own folder `<table>/_lakegate/` (issue 53: the policy-enforced files
 * restricted readers get), which the S3 and GCS vendors keep read-only: not enforced on Azure (docs/security.md).
 */
import { CatalogError, validation } from '../../errors/catalog-error.js';
import type { Clock } from '../../catalog/ports/index.js';
import type { CredentialVendor, VendedCredential, VendRequest } from '../vending.js';
import { checkLifetimeBound } from '../vending.js';
import { parseAzureLocation } from './azure-location.js';
import { buildSas, type SasScope } from './azure-sas.js';

export const MIN_SAS_LIFETIME_SECONDS = 60;
export const MAX_SAS_LIFETIME_SECONDS = 86_400;

export interface AzureSasCredentialVendorOptions {
  account: string;
  /** The account key (base64) the SAS is signed with. */
  accountKey: string;
  /** The only container credentials are vended for. */
  container: string;
  /** Blob service URL when not Azure's public one, e.g. http://127.0.0.1:10000/<account> (Azurite). */
  endpoint?: string;
  scope: SasScope;
  /** Upper bound of a SAS's lifetime in seconds (60..86400). */
  maxLifetimeSeconds: number;
  clock?: Clock;
}

export class AzureSasCredentialVendor implements CredentialVendor {
  private readonly clock: Clock;

  constructor(private readonly options: AzureSasCredentialVendorOptions) {
    checkLifetimeBound(options.maxLifetimeSeconds, MIN_SAS_LIFETIME_SECONDS, MAX_SAS_LIFETIME_SECONDS);
    if (options.scope !== 'directory' && options.scope !== 'container') throw new TypeError(`unknown SAS scope ${JSON.stringify(options.scope)}`);
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  /** Which SAS this vendor signs: `directory` (sr=d on the table directory) or `container` (sr=c). */
  get scope(): SasScope {
    return this.options.scope;
  }

  async vend(request: VendRequest): Promise<VendedCredential> {
    // validate
    if (!Number.isFinite(request.lifetimeSeconds) || request.lifetimeSeconds <= 0) throw new TypeError('lifetimeSeconds must be a positive number');
    const location = parseAzureLocation(request.location);
    if (location.account !== this.options.account || location.container !== this.options.container) {
      throw validation(`location ${request.location} is not in container ${this.options.container} of account ${this.options.account}`);
    }
    const directory = location.path.replace(/\/+$/, '');
    if (directory === '') throw validation('a vended Azure credential must be scoped to a directory, not a whole container');

    // execute
    const lifetime = Math.max(MIN_SAS_LIFETIME_SECONDS, Math.min(Math.floor(request.lifetimeSeconds), this.options.maxLifetimeSeconds));
    // SAS expiry has second precision: report exactly what the token says.
    const expiresAtMs = Math.floor((this.clock.now() + lifetime * 1000) / 1000) * 1000;
    let sas: string;
    try {
      sas = buildSas({
        account: this.options.account,
        accountKey: this.options.accountKey,
        container: location.container,
        directory,
        scope: this.options.scope,
        mode: request.mode,
        expiresOn: new Date(expiresAtMs),
        allowHttp: this.options.endpoint?.startsWith('http:') ?? false,
      });
    } catch (e) {
      if (e instanceof TypeError) throw e;
      // A malformed account key: the message must not carry it.
      throw new CatalogError('ERR_UNAVAILABLE', 'storage credential service unavailable', {
        cause: new Error(`SAS signing failed: ${e instanceof Error ? e.name : 'Error'}`),
      });
    }
    const host = location.host;
    const config: Record<string, string> = {
      [`adls.sas-token.${host}`]: sas,
      [`adls.sas-token-expires-at-ms.${host}`]: String(expiresAtMs),
      ...(this.options.endpoint ? { [`adls.connection-string.${host}`]: this.options.endpoint } : {}),
    };
    return { prefix: request.location, config, expiresAtMs };
  }
}
