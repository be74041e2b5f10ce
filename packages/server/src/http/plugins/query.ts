/**
 * Query parameters: every parameter of every operation of the wire contract is single-valued (packages/protocol),
 * so a repeated one (`?purgeRequested=true&purgeRequested=false`) is ambiguous input and gets a 400 in the surface's
 * envelope, for every route at once, instead of reaching a handler as an array it does not expect.
 */
import type { FastifyInstance } from 'fastify';
import { CatalogError } from '../../errors/catalog-error.js';

/**
 * The query as Fastify's querystring parser hands it to the hooks that run before the contract validates it: a value
 * per name, an array of them for a repeated name.
 */
export type ParsedQuery = Partial<Record<string, string | string[]>> | undefined;

export function refuseRepeatedQueryParameters(app: FastifyInstance): void {
  // A callback hook, not an async one: it runs on every request and needs no promise.
  app.addHook<{ Querystring: ParsedQuery }>('onRequest', (req, _reply, done) => {
    const query = req.query;
    if (query) {
      for (const key in query) {
        if (Array.isArray(query[key]))
          return done(new CatalogError('ERR_BAD_REQUEST', `query parameter ${JSON.stringify(key.slice(0, 64))} appears more than once`));
      }
    }
    done();
  });
}
