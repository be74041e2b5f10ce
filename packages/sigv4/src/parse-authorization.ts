/** Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=... */
import { malformed } from './errors.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

export interface AuthorizationParams {
  credential: string;
  signedHeaders: string;
  signature: string;
}

const NAMES = { Credential: 'credential', SignedHeaders: 'signedHeaders', Signature: 'signature' } as const;

export function parseAuthorization(value: string): AuthorizationParams {
  const m = /^(\S+)\s+(.*)$/s.exec(value.trim());
  if (!m) return malformed('Authorization must be "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."');
  if (m[1] !== ALGORITHM) malformed(`unsupported signing algorithm; only ${ALGORITHM} is accepted`);
  const found: Partial<Record<keyof AuthorizationParams, string>> = {};
  for (const part of m[2]!.split(',')) {
    const item = part.trim();
    const eq = item.indexOf('=');
    const name = eq === -1 ? item : item.slice(0, eq);
    const key = Object.hasOwn(NAMES, name) ? NAMES[name as keyof typeof NAMES] : undefined;
    if (!key) malformed('Authorization has an unknown or empty parameter');
    if (found[key!] !== undefined) malformed(`Authorization repeats ${name}`);
    const v = item.slice(eq + 1);
    if (v === '') malformed(`Authorization ${name} is empty`);
    found[key!] = v;
  }
  const { credential, signedHeaders, signature } = found;
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    return malformed('Authorization needs Credential, SignedHeaders and Signature');
  }
  return { credential, signedHeaders, signature };
}
