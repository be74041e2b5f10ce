/** The verifier's internal rejection; verifySigV4 turns it into a SigV4Failure. */
import type { SigV4ErrorCode, SigV4Failure } from './types.js';

export const SIGV4_ERROR_CODES: readonly SigV4ErrorCode[] = [
  'ERR_SIGV4_MALFORMED',
  'ERR_SIGV4_UNKNOWN_KEY',
  'ERR_SIGV4_EXPIRED',
  'ERR_SIGV4_SKEW',
  'ERR_SIGV4_SCOPE',
  'ERR_SIGV4_PAYLOAD_HASH',
  'ERR_SIGV4_SIGNATURE',
];

export class SigV4Rejection extends Error {
  constructor(
    readonly code: SigV4ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SigV4Rejection';
  }

  toFailure(): SigV4Failure {
    return { ok: false, code: this.code, message: this.message };
  }
}

export function reject(code: SigV4ErrorCode, message: string): never {
  throw new SigV4Rejection(code, message);
}

export const malformed = (message: string): never => reject('ERR_SIGV4_MALFORMED', message);
