/**
 * "+" in a query string means a space to the catalog's routes (Fastify's query parser, like every HTML-form
 * decoder, reads it so) and to form-encoding clients: URLSearchParams serializes a space as "+", PyIceberg sends
 * `?warehouse=a+b` and botocore signs the decoded value, `a%20b`. SigV4 itself decodes strictly (RFC 3986: "+" is
 * a plus), which would sign or verify a value the routes never see. Signer and verifier therefore both apply this
 * to the request target first; a plus meant as a plus travels as %2B and is unaffected. The path is left alone.
 */

/**
 * The request target with each "+" of its query written as %20.
 *
 * @example
 * ```ts
 * plusAsSpaceInQuery('/v1/config?warehouse=a+b'); // '/v1/config?warehouse=a%20b'
 * ```
 */
export function plusAsSpaceInQuery(target: string): string {
  const q = target.indexOf('?');
  return q === -1 || !target.includes('+', q) ? target : target.slice(0, q + 1) + target.slice(q + 1).replaceAll('+', '%20');
}
