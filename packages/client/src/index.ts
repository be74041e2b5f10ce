/** Lakegate client SDK (grows in the SDK issue). */
export type { CatalogConfig, LoadTableResult } from '@lakegate/protocol';
