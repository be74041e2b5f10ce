/**
 * Request logging without a logger built per request. The log lines are
 * the ones Fastify writes ("incoming request", "request completed" or
 * "request errored", each with the request's reqId, and the caller's actor
 * and auth method once authenticated), field for field; the completed line
 * also carries the request's `req`, so that one line per request is enough
 * at info (RequestObserver).
 *
 * Fastify's defaults cost a pino child logger per request (for its
 * `reqId`) plus a second one once the caller is known (for `actor`), each
 * of which serialises its bindings: a measurable share of a catalog read
 * (docs/benchmarks.md). Here instead:
 *
 * - every request gets a RequestLogger that creates its pino child only
 *   when a line is actually written through it at an enabled level
 *   (errors, warnings, "authentication failed"); the caller, once
 *   authenticated, is added to its bindings without building anything;
 * - the RequestObserver writes the request's line with its bindings in
 *   the line itself, and records the request in the metrics (in place of
 *   an onResponse hook).
 *
 * Redaction: every line goes through the root logger, whose redaction
 * paths and serialisers (observability/logger.ts: URL scrubbing) apply,
 * except a completed request's own line, which holds no field that could
 * carry a secret (RequestObserver).
 */
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

type Bindings = Record<string, unknown>;
type LogFn = (...args: unknown[]) => void;
type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** A request's logger: the pino child is made on first use at an enabled level, with the bindings known by then. */
export class RequestLogger {
  private real: Logger | undefined;
  private extra: Readonly<Bindings> | undefined;
  private merged: Bindings | undefined;
  /** A level set on this request's logger alone (Fastify does not; kept for the logger contract). */
  private ownLevel: string | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
  ) {}

  /**
   * Adds bindings to this request's later lines (e.g. the authenticated caller). The first ones are kept as given,
   * not copied (the caller's are made once per caller, authenticate.ts): nothing here ever changes them.
   */
  bind(extra: Readonly<Bindings>): void {
    this.extra = this.extra === undefined ? extra : Object.assign({}, this.extra, extra);
    this.merged = undefined;
    this.real = undefined;
  }

  /** Every binding of this request's lines: Fastify's (reqId), then those added with bind(); built once per binding. */
  get all(): Bindings {
    if (this.extra === undefined) return this.bindings;
    // Object.assign, not `{ ...a, ...b }`: the spread literal is a slow path of V8's (http/caller.ts).
    this.merged ??= Object.assign({}, this.bindings, this.extra);
    return this.merged;
  }

  get level(): string {
    return this.ownLevel ?? this.parent.level;
  }

  set level(level: string) {
    this.ownLevel = level;
    this.real = undefined;
  }

  isLevelEnabled(level: string): boolean {
    return this.ownLevel === undefined ? this.parent.isLevelEnabled(level) : this.materialize().isLevelEnabled(level);
  }

  private materialize(): Logger {
    this.real ??= this.parent.child(this.all, this.ownLevel === undefined ? undefined : { level: this.ownLevel });
    return this.real;
  }

  private write(level: Level, args: unknown[]): void {
    if (!this.isLevelEnabled(level)) return;
    (this.materialize()[level] as LogFn)(...args);
  }

  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: object): Logger {
    return this.materialize().child(bindings, options);
  }
}

/**
 * The logger to give Fastify as its `loggerInstance`: it logs exactly as `logger` does, and the log Fastify derives
 * from it for the application (`app.log`, the one `logger.child({}, options)` call Fastify makes of it) answers
 * Fastify's per-request `child({ reqId }, options)` with a RequestLogger instead of a pino child. Fastify's own
 * child-logger factory then stays in place, which Fastify trusts as it is, while it checks the logger of any
 * other factory on every request (its seven methods, fastify/lib/logger-factory.js `validateLogger`).
 *
 * Every child of `app.log` is therefore a RequestLogger (nothing else in the server derives one from `app.log`),
 * except one with a log level or serialisers of its own (a route's `logLevel`; none has one today): a real pino child.
 */
export function requestLoggingRoot(logger: Logger): FastifyBaseLogger {
  // Object.create, as pino makes its own children: everything else is the prototype's, unchanged.
  const root = Object.create(logger) as Logger;
  root.child = ((bindings: Bindings, options?: ChildOptions) => makesRequestLoggers(logger.child(bindings, options as never))) as unknown as Logger['child'];
  return root as unknown as FastifyBaseLogger;
}

type ChildOptions = { level?: string; serializers?: unknown };

/** `parent`, whose children are RequestLoggers (see requestLoggingRoot). */
function makesRequestLoggers(parent: Logger): Logger {
  const log = Object.create(parent) as Logger;
  log.child = ((bindings: Bindings, options?: ChildOptions) =>
    options?.level || options?.serializers ? parent.child(bindings, options as never) : new RequestLogger(parent, bindings)) as unknown as Logger['child'];
  return log;
}

/** Adds bindings to the rest of a request's log lines, including its "request completed" line. */
export function bindRequestLog(req: FastifyRequest, reply: FastifyReply, bindings: Readonly<Bindings>): void {
  const log = req.log as unknown;
  if (log instanceof RequestLogger) log.bind(bindings);
  else req.log = reply.log = req.log.child(bindings);
}

export type ObserveRequest = (method: string, route: string, status: number, seconds: number) => void;

/**
 * Fastify calls this when a request arrives and when its response has been
 * sent (or failed): the request's log line, and the request metrics.
 *
 * One line per request at info: "request completed" (or "request errored",
 * at error) carries everything Fastify's pair of lines did: reqId, the
 * caller (actor, auth) once authenticated, `req` (method, scrubbed URL,
 * id), `res` (status) and `responseTime`. "incoming request" is written
 * at debug only: a catalog answering thousands of requests a second writes
 * each one once.
 *
 * Redaction: a completed request's line holds only those fields, each
 * built by the logger's own serialisers (observability/logger.ts: the URL
 * is scrubbed of anything that may be a credential) or by the server (the
 * caller's description, never a credential), so it is written through a
 * child of the root logger without the redaction walk, which would look
 * at every field of every line for secrets that cannot be there (the
 * largest part of a logged request's cost: docs/benchmarks.md). A line
 * with an error, and every other line of the server, keeps the root
 * logger's redaction.
 */
export class RequestObserver extends LogController {
  private readonly lines: Logger;

  constructor(
    private readonly logger: Logger,
    private readonly observe: ObserveRequest,
  ) {
    super();
    this.lines = logger.child({}, { redact: { paths: [], censor: '***' } });
  }

  override incomingRequest(request: FastifyRequest): void {
    if (!this.lines.isLevelEnabled('debug')) return;
    this.lines.debug(Object.assign({}, bindingsOf(request), { req: request }), 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const elapsedMs = reply.elapsedTime;
    this.observe(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, elapsedMs / 1000);
    const level = error ? 'error' : 'info';
    if (!this.logger.isLevelEnabled(level)) return;
    if (!(reply.log instanceof RequestLogger)) {
      // A logger this module did not make (a route with its own level): Fastify's own lines.
      super.requestCompleted(error, request, reply);
      return;
    }
    // Object.assign, not a `{ ...bindings, req }` literal: that is a slow path of V8's (http/caller.ts).
    const line = Object.assign({}, bindingsOf(request), { req: request, res: reply, responseTime: elapsedMs });
    if (error) this.logger.error(Object.assign(line, { err: error }), 'request errored');
    else this.lines.info(line, 'request completed');
  }
}

/** The bindings a request's child logger would have: its id, then what was bound later (the caller). */
function bindingsOf(request: FastifyRequest): Bindings {
  const log = request.log as unknown;
  return log instanceof RequestLogger ? log.all : { reqId: request.id };
}
