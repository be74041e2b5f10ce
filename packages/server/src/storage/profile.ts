/**
 * Storage profiles: where a warehouse keeps its data and how the catalog
 * reaches it. A profile is a tagged union without secrets; the secret part
 * (keys, account key) is stored apart, encrypted, and referenced by id.
 */
import { z } from 'zod';

export const S3ProfileSchema = z.object({
  type: z.literal('s3'),
  bucket: z.string().min(3).max(63).regex(/^[a-z0-9][a-z0-9.-]+[a-z0-9]$/, 'not a valid bucket name'),
  region: z.string().min(1).default('us-east-1'),
  endpoint: z.string().url().optional(),
  'path-style-access': z.boolean().default(false),
  'sts-endpoint': z.string().url().optional(),
  'role-arn': z.string().min(1).optional(),
  'external-id': z.string().min(1).optional(),
  /** Lifetime of vended credentials; STS allows 900 s to 12 h. */
  'credential-lifetime-seconds': z.number().int().min(900).max(43_200).default(3600),
});

export const AzureProfileSchema = z.object({
  type: z.literal('azure'),
  account: z.string().min(3),
  container: z.string().min(3),
  endpoint: z.string().url().optional(),
  'credential-lifetime-seconds': z.number().int().min(60).max(86_400).default(3600),
});

export const GcsProfileSchema = z.object({
  type: z.literal('gcs'),
  bucket: z.string().min(3),
  'service-account': z.string().optional(),
  'credential-lifetime-seconds': z.number().int().min(60).max(3600).default(3600),
});

export const FileProfileSchema = z.object({ type: z.literal('file') });

export const StorageProfileSchema = z.discriminatedUnion('type', [S3ProfileSchema, AzureProfileSchema, GcsProfileSchema, FileProfileSchema]);

export type StorageProfile = z.infer<typeof StorageProfileSchema>;
export type S3Profile = z.infer<typeof S3ProfileSchema>;

/** The secret part of a profile, by type. */
export const S3SecretSchema = z.object({ 'access-key-id': z.string().min(1), 'secret-access-key': z.string().min(1) });
export const AzureSecretSchema = z.object({ 'account-key': z.string().min(1) });
export const GcsSecretSchema = z.object({ 'service-account-key': z.string().min(1) });
export type S3Secret = z.infer<typeof S3SecretSchema>;

/** The storage root a profile implies (for S3: s3://bucket), used to check the warehouse root fits it. */
export function profileScheme(profile: StorageProfile): string {
  switch (profile.type) {
    case 's3':
      return `s3://${profile.bucket}`;
    case 'azure':
      return 'abfss://';
    case 'gcs':
      return `gs://${profile.bucket}`;
    case 'file':
      return 'file:';
  }
}
