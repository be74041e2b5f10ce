/**
 * A storage kind: everything the server knows about one storage backend (s3, azure, gcs, file), in one descriptor
 * that lives in the backend's own folder (`storage/<kind>/kind.ts`) and is listed once in `storage/kinds.ts`.
 * The code that used to switch on a profile's `type` (profile checks, the root a profile reaches, building the
 * object storage, credential vendor and signer) asks the descriptor instead, so a new backend is one folder and one
 * registry line (docs/storage.md, "Adding a storage backend").
 */
import type { z } from 'zod';
import type { ObjectStorage } from '../catalog/ports/index.js';
import type { DelegationMechanism, RequestSigner } from '../catalog/ports/signing.js';
import type { StorageKindFacts } from '../catalog/ports/storage-kinds.js';
import type { CredentialVendor } from './vending.js';
import { isUnderRoot } from '../catalog/locations.js';

/** What a warehouse's profile resolves to: the adapters the catalog uses for it (storage/warehouse-storage.ts). */
export interface KindAdapters {
  storage: ObjectStorage;
  vendor: CredentialVendor | undefined;
  /** Remote signing with the warehouse's own key (S3 with a stored key only). */
  signer?: RequestSigner | undefined;
  mechanisms: readonly DelegationMechanism[];
}

export interface BuildContext {
  /** The warehouse's name, for error messages. */
  warehouse: string;
  /** One adapter the kind shares between all warehouses of the server (made on first use, e.g. the local file system). */
  shared<T>(make: () => T): T;
}

/** A profile schema: an object whose `type` is one literal. */
export type ProfileSchema = z.ZodObject<{ type: z.ZodLiteral<string> } & z.ZodRawShape>;
/** The secret a secret schema reads (never for a kind without secrets). */
export type SecretOf<SS> = SS extends z.ZodObject ? z.output<SS> : never;

/** Methods (not function properties) so that a concrete kind is a `StorageKind` of the registry's wider types. */
export interface StorageKind<PS extends ProfileSchema = ProfileSchema, SS extends z.ZodObject | undefined = z.ZodObject | undefined> {
  /** The profile's `type`, the registry's key. */
  readonly type: z.output<PS>['type'] & string;
  /** The profile's schema (the lenient reading of a stored profile; `.strict()` of it checks what an administrator writes). */
  readonly profileSchema: PS;
  /** The schema of the profile's secret (`.strict()` of it checks a secret sent), or undefined for a kind without secrets. */
  readonly secretSchema: SS;
  /** What the catalog knows of the kind without its SDK (catalog/ports/storage-kinds.ts): grant scheme, FileIO family. */
  readonly facts: StorageKindFacts;
  /** The URI schemes of the locations its object storage serves (`s3`, `s3a`, `s3n`). */
  readonly schemes: readonly string[];
  /** The server's own storage (the file system): only the platform may configure it, and nothing is vended for it. */
  readonly local: boolean;
  /** Profile fields only the platform may set (where the catalog sends its credentials, whom it asks to act). */
  readonly platformFields: readonly string[];
  /** Why a profile without a secret is refused, for kinds that cannot work without one. */
  readonly secretRequired?: string;
  /** The storage a profile reaches (s3://bucket), which the warehouse root must lie in; `file:` for the file system. */
  root(profile: z.output<PS>): string;
  /** Why the warehouse's storage root does not fit the profile, or undefined when it does. */
  checkRoot(profile: z.output<PS>, root: string): string | undefined;
  /** Why a secret (already fitting secretSchema) does not fit the profile, or undefined when it does. */
  checkSecret?(profile: z.output<PS>, secret: SecretOf<SS>): string | undefined;
  /** The object storage, credential vendor and signer for a profile and its opened secret (undefined without one). */
  build(profile: z.output<PS>, secret: SecretOf<SS> | undefined, context: BuildContext): KindAdapters | Promise<KindAdapters>;
}

/** A descriptor with its types inferred from its schemas (each `storage/<kind>/kind.ts` is one). */
export const storageKind = <PS extends ProfileSchema, SS extends z.ZodObject | undefined>(kind: StorageKind<PS, SS>): StorageKind<PS, SS> => kind;

/** The root check of a cloud kind: the warehouse root lies in the bucket or container the profile reaches. */
export function rootInStorage(storage: string, root: string): string | undefined {
  return isUnderRoot(storage, root) ? undefined : `storage-root ${root} must lie in ${storage}, the storage this profile reaches`;
}
