/** The `gcs` storage profile and its secret (docs/storage.md). */
import { z } from 'zod';

export const GcsProfileSchema = z.object({
  type: z.literal('gcs'),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/, 'not a valid bucket name'),
  /** When set, the service account key's client_email must be this account. */
  'service-account': z.string().optional(),
  /** JSON API root when not Google's, e.g. an emulator's http://127.0.0.1:4443; vended as gcs.service.host. */
  endpoint: z.string().url().optional(),
  /** Security Token Service endpoint for the downscoping token exchange; Google's when unset. */
  'sts-endpoint': z.string().url().optional(),
  /** Downscoped tokens live as long as the source token (at most one hour); this bounds nothing more. */
  'credential-lifetime-seconds': z.number().int().min(60).max(3600).default(3600),
});

/** A service account key file (JSON) as Google issues it; its token_uri is where the source token is fetched. */
export const GcsSecretSchema = z.object({
  'service-account-key': z.string().refine((text) => {
    try {
      const key = JSON.parse(text) as Record<string, unknown>;
      return key.type === 'service_account' && typeof key.client_email === 'string' && typeof key.private_key === 'string';
    } catch {
      return false;
    }
  }, 'must be a service account key file (JSON with type, client_email and private_key)'),
});
export type GcsProfile = z.infer<typeof GcsProfileSchema>;
export type GcsSecret = z.infer<typeof GcsSecretSchema>;
