/** The `trustedIssuers` setting (a JSON list of external OIDC issuers) parsed and checked at start. */
import { TrustedIssuersSchema, type TrustedIssuer } from '../auth/idp/external-issuers.js';
import { ConfigError } from '../config/config.js';

export function parseTrustedIssuers(raw: string): TrustedIssuer[] {
  if (!raw.trim()) return [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError('trustedIssuers must be a JSON list');
  }
  const parsed = TrustedIssuersSchema.safeParse(value);
  if (!parsed.success) throw new ConfigError(`trustedIssuers: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
