/** The `azure` storage profile and its secret (docs/storage.md). */
import { z } from 'zod';

export const AzureProfileSchema = z.object({
  type: z.literal('azure'),
  /** Storage account name (3..24 lowercase letters and digits). */
  account: z.string().regex(/^[a-z0-9]{3,24}$/, 'not a valid storage account name'),
  /** Container (ADLS Gen2: file system) holding the warehouse. */
  container: z.string().regex(/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/, 'not a valid container name'),
  /**
   * Blob service URL of the account when it is not https://<account>.blob.core.windows.net,
   * e.g. Azurite's http://127.0.0.1:10000/<account>. Locations keep their canonical
   * abfss://<container>@<account>.dfs.core.windows.net/... form either way.
   */
  endpoint: z.string().url().optional(),
  /**
   * What a vended SAS covers. `directory` (ADLS Gen2 accounts with a hierarchical namespace):
   * a directory SAS (sr=d) on the table's location only. `container`: a container SAS (sr=c)
   * on the whole container, for accounts without a hierarchical namespace and for Azurite,
   * which has no directory SAS; every table of the container is then reachable.
   */
  'sas-scope': z.enum(['directory', 'container']).default('directory'),
  'credential-lifetime-seconds': z.number().int().min(60).max(86_400).default(3600),
});

export const AzureSecretSchema = z.object({ 'account-key': z.string().min(1) });
export type AzureProfile = z.infer<typeof AzureProfileSchema>;
export type AzureSecret = z.infer<typeof AzureSecretSchema>;
