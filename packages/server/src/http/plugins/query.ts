/**
 * Query parameters: every parameter of every operation of the wire contract is single-valued (packages/protocol),
 * so a repeated one (`?purgeRequested=true&purgeRequested=false`) is ambiguous input and gets a 400 in the surface's
 * envelope, for every route at once, instead of reaching a handler as an array it does not expect.
 */
import type { FastifyInstance } from 'fastify';
import { CatalogError } from '../../errors/catalog-error.js';

export function refuseRepeatedQueryParameters(app: FastifyInstance): void {
  // A callback hook, not an async one: it runs on every request and needs no promise.
  app.addHook('onRequest', (req, _reply, done) => {
    const query = req.query as Record<string, unknown> | undefined;
    if (query) {
      for (const key in query) {
        if (Array.isArray(query[key])) return done(new CatalogError('ERR_BAD_REQUEST', `query parameter ${JSON.stringify(key.slice(0, 64))} appears more than once`));
      }
    }
    done();
  });
}
