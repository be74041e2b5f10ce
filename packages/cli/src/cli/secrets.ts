/**
 * Which values are secrets, and how they are shown. The CLI never prints a secret unless the user asks for it
 * (`--show-secrets`); masked values keep their non-secret part (an OAuth2 client id) so a profile stays recognizable.
 */

const MASK = '***';

/** Catalog and storage property names whose values are secrets. */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase();
  if (/(expires|expiry|token-type|server-uri|endpoint)/.test(k)) return false;
  return (
    /(^|[.-])(credential|token|secret|password|api-key|access-key-id|secret-access-key|session-token|sas-token|connection-string|private-key|key)($|[.-])/.test(
      k,
    ) || k.startsWith('header.authorization')
  );
}

/**
 * A property value as it may be shown: secrets masked (`credential` keeps its client id).
 *
 * @example
 * ```ts
 * maskValue('credential', 'abc:s3cr3t'); // 'abc:***'
 * ```
 */
export function maskValue(key: string, value: string): string {
  if (!isSecretKey(key)) return value;
  if (key === 'credential') {
    const i = value.indexOf(':');
    return i > 0 ? `${value.slice(0, i)}:${MASK}` : MASK;
  }
  return MASK;
}

/** A copy of `properties` with every secret masked. */
export function maskProperties(properties: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, maskValue(k, v)]));
}
