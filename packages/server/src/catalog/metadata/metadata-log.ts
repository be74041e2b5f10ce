/**
 * Metadata files: naming, locating, and the metadata-log of previous files.
 *
 * Invariant: the metadata-log lists the previous metadata files of a table,
 * oldest first, at most `write.metadata.previous-versions-max` (default 100,
 * minimum 1) entries, each stamped with that file's last-updated-ms. Iceberg
 * Java uses it to clean up old files and for time travel by metadata.
 */
import { illegalArgument } from '../../errors/catalog-error.js';
import { INT32_MAX, stripTrailingSlash } from './table-format.js';
import type { MetadataLogEntry, TableMetadata } from './types.js';

export const METADATA_PREVIOUS_VERSIONS_MAX = 'write.metadata.previous-versions-max';
export const METADATA_PREVIOUS_VERSIONS_MAX_DEFAULT = 100;
export const WRITE_METADATA_PATH = 'write.metadata.path';
export const METADATA_COMPRESSION_CODEC = 'write.metadata.compression-codec';

const ownProperty = (props: Record<string, string> | undefined, key: string): string | undefined =>
  props !== undefined && Object.prototype.hasOwnProperty.call(props, key) ? props[key] : undefined;

function previousVersionsMax(properties: Record<string, string> | undefined): number {
  const raw = ownProperty(properties, METADATA_PREVIOUS_VERSIONS_MAX);
  const n = raw !== undefined && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : METADATA_PREVIOUS_VERSIONS_MAX_DEFAULT;
  return Math.max(1, n);
}

/**
 * A new value of a property that says how a table's metadata files are written, held to what a writer
 * (Iceberg Java, and previousVersionsMax above) can act on: previous-versions-max an integer (Java's
 * Integer.parseInt form), compression-codec as checkMetadataCodecProperty. Anything else was stored and
 * then ignored, or made every later Java-side commit fail. Values stored before stay readable.
 */
export function checkMetadataWriteProperty(key: string, value: string): void {
  if (key === METADATA_PREVIOUS_VERSIONS_MAX && !(/^[+-]?\d{1,10}$/.test(value) && Math.abs(Number(value)) <= INT32_MAX)) {
    throw illegalArgument(`Invalid value for ${key}: ${JSON.stringify(value)} is not an integer`);
  }
  checkMetadataCodecProperty(key, value);
}

/**
 * The one metadata-writing property tables and views share (views keep no metadata-log, so
 * previous-versions-max means nothing to them, as in Java): compression-codec none or gzip, in any case
 * (Java's TableMetadataParser.Codec, which its view writer uses as well, refuses anything else).
 */
export function checkMetadataCodecProperty(key: string, value: string): void {
  if (key === METADATA_COMPRESSION_CODEC && !/^(none|gzip)$/i.test(value)) {
    throw illegalArgument(`Invalid value for ${key}: ${JSON.stringify(value)} (none or gzip)`);
  }
}

/**
 * `next` with `previousLocation` (the file `previous` was read from) appended
 * to the metadata-log, trimmed to the configured maximum. When `next` is
 * `previous` (nothing changed) it is returned as is.
 */
export function withMetadataLog(previous: TableMetadata, previousLocation: string, next: TableMetadata): TableMetadata {
  if (next === previous) return next;
  const max = previousVersionsMax(next.properties);
  const log: MetadataLogEntry[] = previous['metadata-log'] ?? [];
  const kept = log.length >= max ? log.slice(log.length - max + 1) : [...log];
  kept.push({ 'timestamp-ms': previous['last-updated-ms'], 'metadata-file': previousLocation });
  return { ...next, 'metadata-log': kept };
}

/**
 * Whether a table's metadata files are written gzip-compressed: `write.metadata.compression-codec` gzip, in
 * any case (Iceberg Java's TableMetadataParser.Codec). The default, and any other stored value, is none.
 */
export function gzipsMetadata(properties: Record<string, string> | undefined): boolean {
  return ownProperty(properties, METADATA_COMPRESSION_CODEC)?.toLowerCase() === 'gzip';
}

/** The name ending of a gzip-compressed metadata file: readers (Java, PyIceberg, Lakegate) pick the codec by it. */
export const GZIP_METADATA_SUFFIX = '.gz.metadata.json';

/** `%05d-<uuid>.metadata.json` (`.gz.metadata.json` when compressed), Iceberg Java's metadata file name. */
export function metadataFileName(version: number, uuid: string, gzip = false): string {
  return `${String(version).padStart(5, '0')}-${uuid}${gzip ? GZIP_METADATA_SUFFIX : '.metadata.json'}`;
}

/** The version number in a metadata file location ("…/00042-<uuid>.metadata.json" → 42), or -1. */
export function parseMetadataVersion(location: string): number {
  const start = location.lastIndexOf('/') + 1;
  const end = location.indexOf('-', start);
  if (end < 0) return -1;
  const digits = location.slice(start, end);
  if (!/^\d+$/.test(digits)) return -1;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : -1;
}

/**
 * Where the next metadata file goes: under `write.metadata.path` if set,
 * else `<table location>/metadata/`; version = previous version + 1 (0 for
 * the first file). A compressed file's name when the table's or view's
 * compression codec is gzip (gzipsMetadata; the same property for both, as
 * in Iceberg Java; a view's default stays none here, Java's is gzip: readers
 * tell by the name).
 */
export function nextMetadataLocation(metadata: Pick<TableMetadata, 'location' | 'properties'>, previousLocation: string | null, fileUuid: string): string {
  const previousVersion = previousLocation === null ? -1 : parseMetadataVersion(previousLocation);
  const name = metadataFileName(previousVersion + 1, fileUuid, gzipsMetadata(metadata.properties));
  const dir = ownProperty(metadata.properties, WRITE_METADATA_PATH);
  return dir !== undefined && dir.length > 0 ? `${stripTrailingSlash(dir)}/${name}` : `${stripTrailingSlash(metadata.location)}/metadata/${name}`;
}
