/**
 * Reading and writing metadata files. The server, not the client, writes
 * every metadata.json: a new file per commit (numbered, never overwritten),
 * and only then swaps the catalog pointer. A crash between the two leaves an
 * unreferenced file and the table at its old metadata, never in between.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { CatalogError } from '../errors/catalog-error.js';
import { ByteBudget, type Hold } from './byte-budget.js';
import { JsonInputError, MAX_JSON_DEPTH, parseJsonInput, stringifyJson } from './json.js';
import { GZIP_METADATA_SUFFIX } from './metadata/index.js';
import type { ObjectStorage } from './ports/index.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * Writes `metadata` to a new file and returns its JSON (what the catalog keeps and serves); refuses metadata
 * larger than `maxBytes` (as JSON, before compression), writing nothing. A location
 * named `….gz.metadata.json` (write.metadata.compression-codec=gzip, metadata-log.ts) is written
 * gzip-compressed, off the event loop, as every reader expects of that name.
 */
export async function writeMetadataFile(storage: ObjectStorage, metadataLocation: string, metadata: unknown, maxBytes = MAX_METADATA_BYTES): Promise<string> {
  const json = stringifyJson(metadata);
  const bytes = new TextEncoder().encode(json);
  // The bound of readMetadataFile holds for metadata however it comes about: commits of 8 MiB bodies could
  // otherwise grow a table's metadata without end, and with it the cost of every later commit and load.
  if (bytes.length > maxBytes) {
    throw new CatalogError('ERR_VALIDATION', `The new metadata would be larger than ${formatBytes(maxBytes)}; expire snapshots or remove statistics first`);
  }
  await storage.writeNew(metadataLocation, metadataLocation.endsWith(GZIP_METADATA_SUFFIX) ? await gzipAsync(bytes) : bytes);
  return json;
}

/**
 * A table's or view's metadata as an answer carries it, like loadTable's: the exact JSON it was read from or
 * written as, which answers send as it is. Parsed and written again, a double default stored as `1.0` would go
 * out as `1`, which Iceberg Java refuses to read.
 */
export interface MetadataResult {
  metadataLocation: string;
  metadataJson: string;
}

/** Largest metadata file read, uncompressed (and so compressed too). */
export const MAX_METADATA_BYTES = 256 * 1024 * 1024;

/**
 * Reads and parses a metadata file, which may come from outside the catalog (register): bounded to
 * `maxBytes` both as stored and, for a `.gz.metadata.json`, once inflated; larger is a 400, like bad JSON.
 */
export async function readMetadataFile(
  storage: ObjectStorage,
  metadataLocation: string,
  maxBytes = MAX_METADATA_BYTES,
): Promise<{ json: string; metadata: unknown }> {
  // The size is known only once read: the hold starts at the bound and shrinks to the file's size then.
  const hold = await reads.hold(maxBytes);
  try {
    return await readAndParse(storage, metadataLocation, maxBytes, hold);
  } finally {
    hold.release();
  }
}

/**
 * Bytes of metadata files being read and parsed at once, across requests: two of the largest. Each file is
 * bounded alone, but a parse holds several times the file's size (a 250 MB file: 1.7 GB at its peak), so
 * concurrent registrations of files near the bound held as many gigabytes as there were requests.
 */
const reads = new ByteBudget(2 * MAX_METADATA_BYTES);

async function readAndParse(storage: ObjectStorage, metadataLocation: string, maxBytes: number, hold: Hold): Promise<{ json: string; metadata: unknown }> {
  const tooLarge = () => new CatalogError('ERR_VALIDATION', `Metadata file ${metadataLocation} is larger than ${formatBytes(maxBytes)}`);
  let bytes: Uint8Array;
  try {
    bytes = await storage.read(metadataLocation, maxBytes);
  } catch (e) {
    if (e instanceof CatalogError && e.code === 'ERR_PAYLOAD_TOO_LARGE') throw tooLarge();
    if (e instanceof CatalogError) throw new CatalogError('ERR_VALIDATION', `Cannot read metadata file ${metadataLocation}: it does not exist`);
    throw e;
  }
  if (metadataLocation.endsWith(GZIP_METADATA_SUFFIX)) {
    try {
      // Bounded: a few kilobytes of gzip can claim gigabytes, and the file may come from outside (register).
      // Off the event loop, like the compression in writeMetadataFile: up to 256 MiB would stall every request.
      bytes = await gunzipAsync(bytes, { maxOutputLength: maxBytes });
    } catch (e) {
      if (e instanceof RangeError) throw tooLarge();
      throw new CatalogError('ERR_VALIDATION', `Metadata file ${metadataLocation} is not valid gzip`);
    }
  }
  hold.shrink(bytes.length);
  try {
    // The same rule as for request bodies: a file to register comes from outside the catalog too. One level
    // more: a file holds a schema one level deeper (in `schemas`) than the create request that carried it.
    const { text, value } = parseJsonInput(bytes, MAX_JSON_DEPTH + 1);
    return { json: text, metadata: value };
  } catch (e) {
    throw new CatalogError('ERR_VALIDATION', `Metadata file ${metadataLocation} is not valid JSON${e instanceof JsonInputError ? ` (${e.message})` : ''}`);
  }
}

const formatBytes = (n: number): string => (n % (1024 * 1024) === 0 ? `${n / 1024 / 1024} MiB` : `${n} bytes`);
