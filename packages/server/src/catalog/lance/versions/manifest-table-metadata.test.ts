/**
 * The table metadata DescribeTable's detailed `metadata` answers, read from manifests pylance 14.0.2 wrote: a dataset
 * of one version (3 rows), then `update_metadata({"owner": "ana", "purpose": "probe"})`, which committed version 2
 * (pylance's `LanceDataset.metadata` reads that map back). Version 1 has none.
 */
import { describe, expect, it } from 'vitest';
import { CatalogError } from '../../../errors/catalog-error.js';
import { manifestSummary, manifestTableMetadata } from './manifest-file.js';

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
/** Version 1 (_versions/18446744073709551614.manifest). */
const V1 = b64(
  'kQAAABIkZGZmNmI4ZGEtYjY4Yi00MDUzLTljNDEtMmU3MTg1MTE5NGJksgZoCksSRwo4MTEwMDExMTExMTAxMTAwMDAxMTEwMDAwYWM5NWI2NGU2Y2FmYzZjYWU5ZTYxMzc4MmQubGFuY2USAQAaAQAgAigCMNYCIAMSGRIBeCD///////////8BKgVpbnQ2NDABOAHIAAAAChkSAXgg////////////ASoFaW50NjQwATgBEksSRwo4MTEwMDExMTExMTAxMTAwMDAxMTEwMDAwYWM5NWI2NGU2Y2FmYzZjYWU5ZTYxMzc4MmQubGFuY2USAQAaAQAgAigCMNYCIAMYAToMCJHprNgGEMKwq8kCWABiKjAtZGZmNmI4ZGEtYjY4Yi00MDUzLTljNDEtMmU3MTg1MTE5NGJkLnR4bmoPCgVsYW5jZRIGMTQuMC4yegwKBWxhbmNlEgMyLjK4AQCVAAAAAAAAAAAAAgBMQU5D',
);
/** Version 2, written by update_metadata (_versions/18446744073709551613.manifest). */
const V2 = b64(
  'TQAAAAgBEiQwNGQ2Yjc4Ny1kZWIyLTRmYjUtODVhZS1lMTVmYzc2MzgyOWXyBiI6IAoQCgdwdXJwb3NlEgVwcm9iZQoMCgVvd25lchIDYW5h6gAAAAoZEgF4IP///////////wEqBWludDY0MAE4ARJLEkcKODExMDAxMTExMTEwMTEwMDAwMTExMDAwMGFjOTViNjRlNmNhZmM2Y2FlOWU2MTM3ODJkLmxhbmNlEgEAGgEAIAIoAjDWAiADGAI6DAiR6azYBhC9q6PKAlgAYioxLTA0ZDZiNzg3LWRlYjItNGZiNS04NWFlLWUxNWZjNzYzODI5ZS50eG5qDwoFbGFuY2USBjE0LjAuMnoMCgVsYW5jZRIDMi4ymgEQCgdwdXJwb3NlEgVwcm9iZZoBDAoFb3duZXISA2FuYbgBAFEAAAAAAAAAAAACAExBTkM=',
);

/** Version 2 of a dataset pylance 14.0.2 gave `update_metadata({"__proto__": "p", "owner": "ana"})`. */
const PROTO = b64(
  'SwAAAAgBEiRmNDEwZjg5OC04NmViLTQ4MDItYWUwNC0yMDFmMjkxMzNhMjfyBiA6HgoMCgVvd25lchIDYW5hCg4KCV9fcHJvdG9fXxIBcOgAAAAKGRIBeCD///////////8BKgVpbnQ2NDABOAESSxJHCjgxMDExMDAxMDEwMTEwMTEwMDExMDEwMDExMjQyYTc0OTZlOTcyOTU3M2JjMmE0NGUyNS5sYW5jZRIBABoBACACKAIw1gIgAxgCOgwI58Ku2AYQ0L6nrAFYAGIqMS1mNDEwZjg5OC04NmViLTQ4MDItYWUwNC0yMDFmMjkxMzNhMjcudHhuag8KBWxhbmNlEgYxNC4wLjJ6DAoFbGFuY2USAzIuMpoBDgoJX19wcm90b19fEgFwmgEMCgVvd25lchIDYW5huAEATwAAAAAAAAAAAAIATEFOQw==',
);

describe('manifestTableMetadata', () => {
  it("keeps a key named __proto__ as an entry of the map (before: it set the answer's prototype and was lost)", () => {
    const metadata = manifestTableMetadata(PROTO);
    expect(Object.keys(metadata).sort()).toEqual(['__proto__', 'owner']);
    expect(Object.getOwnPropertyDescriptor(metadata, '__proto__')?.value).toBe('p');
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
  });

  it("reads the map update_metadata wrote, and none where it was not set, beside the version's summary", () => {
    expect(manifestTableMetadata(V2)).toEqual({ owner: 'ana', purpose: 'probe' });
    expect(manifestTableMetadata(V1)).toEqual({});
    // The rows did not change: the summary is the same for both.
    expect(manifestSummary(V2).totalRows).toBe(3);
    expect(manifestSummary(V1).totalRows).toBe(3);
  });

  it('refuses a file that is not a Lance manifest with the catalog error, never a RangeError', () => {
    expect(() => manifestTableMetadata(V2.subarray(0, 40))).toThrow(CatalogError);
    const truncated = V2.slice();
    // The message's length prefix made to run past the footer.
    new DataView(truncated.buffer).setUint32(Number(new DataView(truncated.buffer).getBigUint64(truncated.length - 16, true)), 100000, true);
    expect(() => manifestTableMetadata(truncated)).toThrow(CatalogError);
  });
});
