/**
 * Path parameters decoded as the catalog's clients encode them: a `+` is a space. Iceberg Java (Spark, Flink, Trino's
 * REST catalog) writes every name in a path with `RESTUtil.encodeString`, which is `URLEncoder.encode`: form encoding,
 * a space as `+` and a literal `+` as %2B; its own reference server decodes with `URLDecoder`. PyIceberg (`quote(…,
 * safe="")`), encodeURIComponent and LanceDB's `form_urlencoded` write a space as %20 or `+` and a plus always as %2B.
 * So reading `+` as a space takes every one of them at its word, while Fastify's router, which percent-decodes only,
 * handed Spark's table `a b` to the catalog as `a+b` (a namespace created from a JSON body, then not found by path).
 *
 * One hook per surface whose paths name catalog objects, before any other hook reads a parameter. A path without a
 * `+` is left as the router decoded it (the same text), so the common request pays one `includes`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The path parameters as the router hands them to the hooks: a string per name. */
type PathParams = Record<string, string>;

/**
 * The route's parameters re-read from the raw URL as form-encoded segments, or undefined when the raw path holds no
 * `+`, the route has no parameters, or the URL does not line up with the route's pattern (a router-normalized URL:
 * its decoded parameters will do).
 */
export function formDecodedPathParams(req: FastifyRequest<{ Params: PathParams }>): PathParams | undefined {
  const query = req.url.indexOf('?');
  const rawPath = query < 0 ? req.url : req.url.slice(0, query);
  if (!rawPath.includes('+')) return undefined;
  const pattern = req.routeOptions.url?.split('/');
  if (pattern === undefined || !pattern.some((p) => p.startsWith(':'))) return undefined;
  const segments = rawPath.split('/');
  if (segments.length !== pattern.length) return undefined;
  const params: PathParams = { ...req.params };
  for (let i = 0; i < pattern.length; i++) {
    const name = pattern[i]!;
    if (!name.startsWith(':')) continue;
    try {
      params[name.slice(1)] = decodeURIComponent(segments[i]!.replaceAll('+', ' '));
    } catch {
      // Not well-formed percent-encoding: the router's reading stands, and its own checks answer.
    }
  }
  return params;
}

export function decodePathParamsAsForms(app: FastifyInstance): void {
  // A callback hook, not an async one: it runs on every request and needs no promise.
  app.addHook<{ Params: PathParams }>('onRequest', (req, _reply, done) => {
    const params = formDecodedPathParams(req);
    if (params !== undefined) req.params = params;
    done();
  });
}
