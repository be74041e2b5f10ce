/** The `s3` storage profile and its secret (docs/storage.md). */
import { z } from 'zod';

export const S3ProfileSchema = z.object({
  type: z.literal('s3'),
  bucket: z
    .string()
    .min(3)
    .max(63)
    .regex(/^[a-z0-9][a-z0-9.-]+[a-z0-9]$/, 'not a valid bucket name'),
  region: z.string().min(1).default('us-east-1'),
  endpoint: z.string().url().optional(),
  'path-style-access': z.boolean().default(false),
  'sts-endpoint': z.string().url().optional(),
  'role-arn': z.string().min(1).optional(),
  'external-id': z.string().min(1).optional(),
  /** Lifetime of vended credentials; STS allows 900 s to 12 h. */
  'credential-lifetime-seconds': z.number().int().min(900).max(43_200).default(3600),
  /** false for stores without STS (R2, Wasabi, Ceph RGW without its STS module): then only remote signing is offered. */
  'sts-enabled': z.boolean().optional(),
  /**
   * The access delegation mechanisms offered to engines, in order of preference (the first one a client supports
   * wins). Default: vended-credentials then remote-signing, or remote-signing alone when sts-enabled is false.
   */
  delegation: z
    .array(z.enum(['vended-credentials', 'remote-signing']))
    .min(1)
    .max(2)
    .optional(),
  /**
   * With remote signing, the sign endpoint the table config names: the table's own (`table`, the default), or none
   * (`default`), so that clients call their default `v1/aws/s3/sign` and the server finds the table from the
   * request's bucket and key (for clients that cannot take a per-table endpoint).
   */
  'remote-signing-endpoint': z.enum(['table', 'default']).optional(),
  /**
   * With remote signing on an endpoint other than AWS S3's, how a signed write is kept from gaining headers the
   * signature does not cover (a copy source, object lock, tags), which MinIO acts on: `query` (the default) signs
   * them empty and delivers that in the URI's query string, for stores that read a signed header the request lacks
   * from there (MinIO); `refuse` signs no PutObject, UploadPart or CreateMultipartUpload (read-only signing), for a
   * store that does not, or is not known to (docs/compatibility.md). AWS S3 refuses unsigned x-amz-* headers itself.
   */
  'signing-header-guard': z.enum(['query', 'refuse']).optional(),
});

export const S3SecretSchema = z.object({ 'access-key-id': z.string().min(1), 'secret-access-key': z.string().min(1) });
export type S3Profile = z.infer<typeof S3ProfileSchema>;
export type S3Secret = z.infer<typeof S3SecretSchema>;

/** The delegation mechanisms an S3 profile offers, in its order of preference (see S3ProfileSchema.delegation). */
export function delegationOf(profile: S3Profile): Array<'vended-credentials' | 'remote-signing'> {
  if (profile.delegation) return [...new Set(profile.delegation)];
  return profile['sts-enabled'] === false ? ['remote-signing'] : ['vended-credentials', 'remote-signing'];
}
