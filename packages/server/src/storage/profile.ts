/**
 * Storage profiles: where a warehouse keeps its data and how the catalog
 * reaches it. A profile is a tagged union without secrets; the secret part
 * (keys, account key) is stored apart, encrypted, and referenced by id.
 * Each type's schema lives in its kind's folder (`storage/s3/s3-profile.ts`, …);
 * the union is the registry's (storage/kinds.ts), one member per storage kind.
 */
import { z } from 'zod';
import { STORAGE_KINDS, type StorageKinds } from './kinds.js';

/** One of the kinds' profile schemas (a union of them; the list below is never empty). */
type ProfileSchema = StorageKinds[number]['profileSchema'];
type StrictProfileSchema = ReturnType<ProfileSchema['strict']>;

export const StorageProfileSchema = z.discriminatedUnion('type', STORAGE_KINDS.map((kind) => kind.profileSchema) as [ProfileSchema, ...ProfileSchema[]]);

export type StorageProfile = z.infer<typeof StorageProfileSchema>;

/**
 * The profile as a warehouse's administrator may write it: every field is one of its type's, and an unknown key
 * (a typo such as `sts-enabeld`, or a field of another type) is refused with the key named instead of silently
 * dropped. A stored profile is read with the lenient StorageProfileSchema (it was checked when written).
 */
export const StrictStorageProfileSchema = z.discriminatedUnion(
  'type',
  STORAGE_KINDS.map((kind) => kind.profileSchema.strict()) as [StrictProfileSchema, ...StrictProfileSchema[]],
);
