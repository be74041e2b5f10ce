/**
 * The manifest rewrite of RestoreTable against files Lance itself wrote: pylance 14.0.2 wrote a dataset of four
 * versions (5 rows, then three appends of 2) with V2 manifest names, then restored version 2 with its own
 * `Dataset.restore()`, which wrote version 5. The catalog's rewrite of version 2 as version 5 must hold the same
 * Manifest fields as Lance's, except the timestamp and the transaction file's uuid, and its Restore transaction must
 * be the bytes Lance wrote for the same uuid.
 */
import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import { CatalogError } from '../../../errors/catalog-error.js';
import { LANCE_TXN, LANCE_V5, V2, V4 } from '../../../../../../test/support/lance-manifests.js';
import { countFragments, readManifestFields, restoredManifest, restoreTransaction } from './manifest-file.js';

/** The Manifest message's top-level fields (number and bytes, tag included), and where the message starts. */
function message(file: Uint8Array): { at: number; fields: Map<number, string[]> } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const at = Number(view.getBigUint64(file.length - 16, true));
  const body = file.subarray(at + 4, at + 4 + view.getUint32(at, true));
  const reader = protobuf.Reader.create(body);
  const fields = new Map<number, string[]>();
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    reader.skipType(tag & 7);
    fields.set(tag >>> 3, [...(fields.get(tag >>> 3) ?? []), Buffer.from(body.subarray(start, reader.pos)).toString('hex')]);
  }
  return { at, fields };
}

describe('Lance manifest files (RestoreTable)', () => {
  it('reads the version, the highest fragment id and the branch of a manifest', () => {
    expect(readManifestFields(V2)).toEqual({ version: 2, maxFragmentId: 1 });
    expect(readManifestFields(V4)).toEqual({ version: 4, maxFragmentId: 3 });
  });

  it("rewrites version 2 as version 5 with the fields Lance's own restore wrote, but the timestamp and transaction uuid", () => {
    const ours = restoredManifest(V2, {
      version: 5,
      timestampMs: 1_795_652_000_123,
      transactionFile: '4-cfdcdffe-5e98-4345-a5a2-3d41ca084e31.txn',
      latest: readManifestFields(V4),
    });
    const mine = message(ours);
    const lance = message(LANCE_V5);
    expect(readManifestFields(ours)).toEqual({ version: 5, maxFragmentId: 3 });
    // Every field but the timestamp (7) is byte for byte what Lance wrote; with the same transaction uuid, so is 12.
    for (const field of new Set([...mine.fields.keys(), ...lance.fields.keys()])) {
      if (field !== 7) expect(mine.fields.get(field), `field ${field}`).toEqual(lance.fields.get(field));
    }
    const timestamp = protobuf.Reader.create(Buffer.from(mine.fields.get(7)![0]!, 'hex').subarray(2));
    expect([timestamp.uint32(), Number(timestamp.int64()), timestamp.uint32(), timestamp.int32()]).toEqual([8, 1_795_652_000, 16, 123_000_000]);
    // The bytes before the manifest (the sections its positions point into) are version 2's, unchanged; the footer points past them.
    expect(mine.at).toBe(message(V2).at);
    expect(Buffer.from(ours.subarray(0, mine.at))).toEqual(Buffer.from(V2.subarray(0, mine.at)));
    expect(Buffer.from(ours.subarray(ours.length - 8))).toEqual(Buffer.from(V2.subarray(V2.length - 8)));
  });

  it('keeps a fragment id or row id the restored version had when it is the higher one, and fields it does not know', () => {
    const ours = restoredManifest(V4, { version: 6, timestampMs: 0, transactionFile: '5-x.txn', latest: { version: 5, maxFragmentId: 1, nextRowId: 7 } });
    expect(readManifestFields(ours)).toEqual({ version: 6, maxFragmentId: 3, nextRowId: 7 });
    // Field 23 (not in the published table.proto) survives as written.
    expect(message(ours).fields.get(23)).toEqual(message(V4).fields.get(23));
  });

  it('writes the Restore transaction Lance writes', () => {
    expect(Buffer.from(restoreTransaction({ readVersion: 4, uuid: 'cfdcdffe-5e98-4345-a5a2-3d41ca084e31', restoredVersion: 2 }))).toEqual(
      Buffer.from(LANCE_TXN),
    );
  });

  it('refuses what is not a Lance manifest file with a reason (ERR_ILLEGAL_ARGUMENT), never a crash', () => {
    const bad = [
      new Uint8Array(0),
      new TextEncoder().encode('manifest 1.manifest-a1b2'),
      V2.subarray(0, V2.length - 1),
      (() => {
        const c = V2.slice();
        c[message(V2).at] = 0xff; // the length prefix now runs past the footer
        return c;
      })(),
      (() => {
        const c = V2.slice();
        c.fill(0xff, message(V2).at + 4, message(V2).at + 10); // an unterminated varint inside the message
        return c;
      })(),
    ];
    for (const file of bad) {
      let error: unknown;
      try {
        readManifestFields(file);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CatalogError);
      expect((error as CatalogError).code).toBe('ERR_ILLEGAL_ARGUMENT');
    }
  });
});

describe('fragments of a Lance manifest file (the scheduled optimize decides on them, issue 59)', () => {
  it("counts the fragments of pylance's manifests and, by their physical rows, the small ones", () => {
    // Version 2: 5 rows, then 2 appended; version 4: two more appends of 2 (four fragments).
    expect(countFragments(V2, 1_048_576)).toEqual({ fragments: 2, small: 2 });
    expect(countFragments(V4, 1_048_576)).toEqual({ fragments: 4, small: 4 });
    // The first fragment's 5 rows are not under a target of 5; the 2-row ones are.
    expect(countFragments(V4, 5)).toEqual({ fragments: 4, small: 3 });
    expect(countFragments(LANCE_V5, 1_048_576)).toEqual({ fragments: 2, small: 2 });
  });

  it('refuses a file that is no manifest', () => {
    expect(() => countFragments(new Uint8Array(64), 10)).toThrow(CatalogError);
  });
});
