/**
 * For the tests of where a table's files lie (test/interop/locations-pyiceberg.test.ts and locations-spark.test.ts):
 * the names that need escaping, the storage under test as a listing of URIs, and the check that every file of the
 * table lies in the one directory tree the catalog chose.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { expect } from 'vitest';

/** Namespace levels and a table name with spaces, non-ASCII letters, ":", "?", "#", "%" and "/". */
export const ESCAPED_NAMES = { namespace: ['nsé a:b?c#d%e/f', 'sub level'], table: 't é:x?y#z%w/1' };

/** The storage under test: every object under the warehouse root (as URIs), and a way to put a stray file. */
export interface Store {
  warehouse: string;
  root: string;
  list(): Promise<string[]>;
  put(uri: string, body: string): Promise<void>;
}

/** The server's default `file:` warehouse, rooted at `warehouseRoot`. */
export const fileStore = (warehouseRoot: string): Store => ({
  warehouse: 'default',
  root: `file://${warehouseRoot}`,
  async list() {
    const out: string[] = [];
    const walk = (dir: string) => {
      if (!existsSync(dir)) return;
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else out.push(`file://${p}`);
      }
    };
    walk(warehouseRoot);
    return out.sort();
  },
  async put(uri, body) {
    // Literally: the path is the URI's text after file://, as PyIceberg and Iceberg Java (HadoopFileIO) read it.
    const p = uri.slice('file://'.length);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, body);
  },
});

/** Warehouse `s3wh` rooted at `s3://<bucket>/wh`, listed and written with `client` (MinIO's root keys). */
export const s3Store = (client: S3Client, bucket: string): Store => ({
  warehouse: 's3wh',
  root: `s3://${bucket}/wh`,
  async list() {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'wh/', ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => `s3://${bucket}/${o.Key!}`));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  },
  async put(uri, body) {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: uri.slice(`s3://${bucket}/`.length), Body: body }));
  },
});

/**
 * Checks that the location the catalog chose needs no escaping (unreserved characters only below the store's root,
 * named after ESCAPED_NAMES.table), that every object of the warehouse (the table is its only one) lies in that one
 * tree, and that the advertised metadata location is one of them. Returns the listing.
 */
export async function expectOneTree(store: Store, location: string, metadataLocation: string): Promise<string[]> {
  expect(location.startsWith(`${store.root}/`)).toBe(true);
  expect(location.slice(store.root.length)).toMatch(/^(\/[A-Za-z0-9._-]+)+$/);
  expect(location).toMatch(/\/t_e_x_y_z_w_1-[0-9a-f]{32}$/);
  const all = await store.list();
  expect(all.filter((u) => !u.startsWith(`${location}/`))).toEqual([]);
  expect(all).toContain(metadataLocation);
  return all;
}
