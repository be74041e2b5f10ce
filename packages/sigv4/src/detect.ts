/** Whether a request carries SigV4 credentials at all: an auth chain's "is this mine?". */
import type { SigV4Mode, SigV4Request } from './types.js';

export const PRESIGN_MARKERS: ReadonlySet<string> = new Set(['x-amz-algorithm', 'x-amz-credential', 'x-amz-signature']);

/**
 * "header" when Authorization starts with "AWS4-", "presigned" when the query
 * has X-Amz-Algorithm, X-Amz-Credential or X-Amz-Signature, else undefined.
 * Never throws; verifySigV4 reports what is wrong with a request that is "mine".
 */
export function detectSigV4(request: Pick<SigV4Request, 'url' | 'headers'>): SigV4Mode | undefined {
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.toLowerCase() !== 'authorization' || value === undefined) continue;
    const values = typeof value === 'string' ? [value] : value;
    if (values.some((v) => v.trimStart().startsWith('AWS4-'))) return 'header';
  }
  const q = request.url.indexOf('?');
  if (q === -1) return undefined;
  for (const part of request.url.slice(q + 1).split('&')) {
    const eq = part.indexOf('=');
    if (PRESIGN_MARKERS.has((eq === -1 ? part : part.slice(0, eq)).toLowerCase())) return 'presigned';
  }
  return undefined;
}
