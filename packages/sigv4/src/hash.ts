/** SHA-256 helpers over an injected hash constructor, and the constant-time signature comparison. */
import { timingSafeEqual } from 'node:crypto';
import { Hash, toHex, toUint8Array } from '@smithy/core/serde';
import type { Sha256Constructor } from './types.js';

/** node:crypto SHA-256 in the shape SignatureV4 expects. */
export const nodeSha256: Sha256Constructor = Hash.bind(null, 'sha256');

/** Lowercase hex SHA-256 of a body (undefined is the empty body). */
export async function sha256Hex(sha256: Sha256Constructor, body: Uint8Array | string | undefined): Promise<string> {
  const hash = new sha256();
  hash.update(toUint8Array(body ?? ''));
  return toHex(await hash.digest());
}

/** Both arguments are 64 lowercase hex digits (checked by the callers). */
export function signaturesEqual(expectedHex: string, receivedHex: string): boolean {
  const a = Buffer.from(expectedHex, 'hex');
  const b = Buffer.from(receivedHex, 'hex');
  return a.length === 32 && b.length === 32 && timingSafeEqual(a, b);
}
