/**
 * The web console surface, mounted at /ui: the built single-page app (static
 * files from the console's dist/, precompressed .gz/.br served when the
 * browser accepts them; every other GET under /ui answers index.html so the
 * app's own paths reload), and the sign-in routes under /ui/auth. No
 * authentication hook: the app itself is public, and everything it shows
 * comes from the API surfaces, which authenticate its session cookie. When
 * the console was not built the server starts anyway, says so, and /ui is
 * a 404. Pages get a strict Content-Security-Policy (no inline script, no
 * other origin), no framing and no referrer.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { icebergEnvelope } from '../mappers/iceberg-errors.js';
import { useErrorEnvelope } from '../plugins/errors.js';
import { type ConsoleAuthDeps, consoleAuthRoutes } from '../routes/console/auth.js';

export const CONSOLE_PREFIX = '/ui';

export interface ConsoleSurfaceOptions extends ConsoleAuthDeps {
  /** The console's build output (index.html and assets/). */
  dir: string;
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Whether the console was built into dir. */
export function consoleBuilt(dir: string): boolean {
  return existsSync(path.join(dir, 'index.html'));
}

export const consoleSurface: FastifyPluginAsync<ConsoleSurfaceOptions> = async (app, options) => {
  useErrorEnvelope(app, icebergEnvelope);
  app.addHook('onSend', async (_req, reply) => {
    reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
  });
  consoleAuthRoutes(app, options);
  if (!consoleBuilt(options.dir)) {
    app.log.warn({ dir: options.dir }, 'the web console is not built (npm run build); /ui answers 404');
    return;
  }
  await app.register(fastifyStatic, {
    root: path.resolve(options.dir),
    prefix: '/',
    // One route per built file (found at start): no request can name a path outside the build.
    wildcard: false,
    index: false,
    preCompressed: true,
    serveDotFiles: false,
    setHeaders(res, file) {
      // File names under assets/ carry a content hash; index.html must be revalidated to pick up a new build.
      res.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const index = { schema: { hide: true } };
  const page = async (_req: unknown, reply: import('fastify').FastifyReply) => reply.header('cache-control', 'no-cache').sendFile('index.html');
  app.get('/', index, page);
  // The app's own paths (/ui/catalog/…, /ui/access, …) load the app, which routes them; unknown asset paths stay 404.
  app.get('/*', index, async (req, reply) => {
    if (req.url.startsWith(`${CONSOLE_PREFIX}/assets/`) || req.url.startsWith(`${CONSOLE_PREFIX}/auth/`)) {
      const { status, body } = icebergEnvelope.notFound(req);
      return reply.code(status).send(body);
    }
    return page(req, reply);
  });
};
