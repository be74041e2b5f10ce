/**
 * The one rule for reading an object whose size the catalog does not control (a metadata file
 * named by `register`, or any file under a warehouse that clients write to with vended
 * credentials): at most `maxBytes` are ever held in memory. An object that says it is larger
 * (Content-Length, a stat) is refused before its body is read; a body that turns out larger
 * than it said is cut off at the limit. Every adapter's read() goes through here, so a hostile
 * multi-gigabyte file costs one refused request, not the process.
 *
 * Written here because the SDKs' "whole object into a buffer" helpers (transformToByteArray,
 * downloadToBuffer, gaxios' arraybuffer) have no size bound that covers a body without a length.
 */
import { CatalogError } from '../errors/catalog-error.js';

/** ERR_PAYLOAD_TOO_LARGE: the object at `uri` is larger than the caller's bound. */
function objectTooLarge(uri: string, maxBytes: number): CatalogError {
  return new CatalogError('ERR_PAYLOAD_TOO_LARGE', `object ${uri} is larger than ${maxBytes} bytes`);
}

/** Stops a body that will not be read to its end, so its connection or file handle is released. */
export function discard(body: unknown): void {
  const b = body as { destroy?: () => void; cancel?: () => Promise<void> } | null | undefined;
  try {
    if (typeof b?.destroy === 'function') b.destroy();
    else if (typeof b?.cancel === 'function') void b.cancel().catch(() => undefined);
  } catch {
    // Already closed: nothing to release.
  }
}

/**
 * Reads `body` to its end, or refuses it: when `declaredLength` (what the store said the size is)
 * exceeds `maxBytes`, nothing is read; when the bytes themselves pass `maxBytes`, reading stops.
 */
export async function readBounded(body: AsyncIterable<Uint8Array | string>, maxBytes: number, uri: string, declaredLength?: number): Promise<Uint8Array> {
  if (declaredLength !== undefined && Number.isFinite(declaredLength) && declaredLength > maxBytes) {
    discard(body);
    throw objectTooLarge(uri, maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += bytes.byteLength;
    if (total > maxBytes) {
      discard(body);
      throw objectTooLarge(uri, maxBytes);
    }
    chunks.push(bytes);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}
