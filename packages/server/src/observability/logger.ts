/**
 * Structured logs with secrets redacted: JSON lines, or, on a terminal, one coloured human-readable
 * line per event (pino-pretty) with the time, level, message and the few fields that matter. Headers that carry credentials
 * are censored by path; query strings are scrubbed before a URL is logged of
 * every parameter that may carry a credential, by its name or by the look of
 * its value (so a token sent as `?bearer=` or `?whatever=` is not logged
 * either), not only of the names we know.
 */
import pino, { type Logger, type LoggerOptions } from 'pino';
import pinoPretty from 'pino-pretty';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-amz-security-token"]',
  // PyIceberg with SigV4 moves a configured bearer token here instead of dropping it.
  'req.headers["original-authorization"]',
  'headers.authorization',
  'client_secret',
  '*.client_secret',
  'subject_token',
  '*.subject_token',
  'actor_token',
  '*.actor_token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  '*["s3.secret-access-key"]',
  '*["s3.session-token"]',
  '*["s3.access-key-id"]',
  // The Lance namespace's request Identity (lance-namespace 0.13), should a body ever reach a log line.
  '*.api_key',
  '*.auth_token',
];

// Page tokens are opaque cursors, not credentials, and stay readable in logs.
const NOT_SECRET_QUERY = /^(pageToken|page-token)$/;
/**
 * Names of query parameters that may carry a credential: anything about auth, bearer, tokens, secrets, keys,
 * signatures, sessions, passwords, codes or assertions (`?bearer=`, `?Authorization=`, `?access_token=`,
 * `X-Amz-Signature`, `sig`, `apiKey`, …).
 */
const SECRET_QUERY = /(auth|bearer|token|secret|passw|pwd|credential|signature|^sig$|api[-_]?key|^key$|[-_]key$|session|assertion|^code$|jwt|cookie)/i;
/**
 * Values that look like a credential whatever the parameter is called: a JWT, an Authorization header value, one
 * of our API keys or access key ids, an AWS key id, or a long random-looking string (32+ characters of one token
 * alphabet mixing upper case, lower case and digits).
 */
const SECRET_VALUE = [
  /^[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*$/,
  /^(bearer|basic|aws4-hmac-sha256|negotiate|digest)\s/i,
  /^lgk_/,
  /^(LGAK|AKIA|ASIA)[A-Z0-9]{12,}$/,
];
const looksRandom = (v: string) => v.length >= 32 && /^[A-Za-z0-9+/=_.~-]+$/.test(v) && /[a-z]/.test(v) && /[A-Z]/.test(v) && /[0-9]/.test(v);

/** True when a query parameter (name and value) may carry a credential and must not be logged. */
export function isSecretQueryParameter(name: string, value: string): boolean {
  if (NOT_SECRET_QUERY.test(name)) return false;
  return SECRET_QUERY.test(name) || SECRET_VALUE.some((re) => re.test(value)) || looksRandom(value);
}

/** A URL with the values of query parameters that may carry a credential replaced by ***. */
export function scrubUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const out = new URLSearchParams();
  for (const [key, value] of params) out.append(key, isSecretQueryParameter(key, value) ? '***' : value);
  return `${url.slice(0, q)}?${out.toString()}`;
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '***' },
    serializers: {
      req: (req: { method: string; url: string; id?: string }) => ({ method: req.method, url: scrubUrl(req.url), id: req.id }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}

/** The most log output held in memory while standard output does not take it (a stuck reader). */
const STDOUT_BUFFER_BYTES = 16 * 1024 * 1024;
let droppedLines = 0;

/** Log lines dropped because standard output did not take them (lakegate_log_lines_dropped_total). */
export const droppedLogLines = (): number => droppedLines;

/**
 * Standard output, written asynchronously: a line goes to the kernel as soon as the write before it
 * has finished, so under load many lines go out in one write instead of one blocking write per line
 * (a measurable part of a logged request: docs/benchmarks.md), and a reader that stops reading holds
 * up the log, not the catalog. Past STDOUT_BUFFER_BYTES waiting, lines are dropped and counted. pino
 * writes out what is left when the process exits.
 */
function stdout(): pino.DestinationStream {
  const stream = pino.destination({ dest: 1, sync: false, maxLength: STDOUT_BUFFER_BYTES });
  stream.on('drop', () => {
    droppedLines += 1;
  });
  return stream;
}

/** How log lines are written: JSON (one object a line, for collectors), or pretty (for a person at a terminal). */
export type LogFormat = 'json' | 'pretty';

/** The format of the logFormat setting: `auto` is pretty when standard output is a terminal, JSON otherwise. */
export function resolveLogFormat(setting: string, stdoutIsTerminal = process.stdout.isTTY === true): LogFormat {
  if (setting === 'json' || setting === 'pretty') return setting;
  return stdoutIsTerminal ? 'pretty' : 'json';
}

type Line = Record<string, unknown> & { req?: { method?: string; url?: string }; res?: { statusCode?: number }; responseTime?: number };

/**
 * The pretty line's message: a request's line reads `request completed GET /v1/config 200 1.2ms`, instead of its
 * nested req, res and responseTime objects. Every other field (reqId, actor, err...) follows on the same line.
 */
function messageOf(line: Line, messageKey: string): string {
  const parts = [String(line[messageKey] ?? '')];
  if (line.req?.method) parts.push(`${line.req.method} ${line.req.url ?? ''}`);
  if (line.res?.statusCode !== undefined) parts.push(String(line.res.statusCode));
  if (typeof line.responseTime === 'number') parts.push(`${line.responseTime.toFixed(1)}ms`);
  return parts.join(' ');
}

/**
 * pino-pretty as a stream in this thread (not a transport worker): every line has gone through pino's redaction
 * and serialisers already, so a secret is censored in pretty lines as in JSON ones. Colours follow the terminal
 * (colorette: off for a pipe, NO_COLOR, TERM=dumb; FORCE_COLOR forces them).
 */
function pretty(destination: pino.DestinationStream): pino.DestinationStream {
  return pinoPretty({
    destination,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,req,res,responseTime',
    singleLine: true,
    messageFormat: (log, messageKey) => messageOf(log as Line, messageKey),
  });
}

export function createLogger(level: string, destination?: pino.DestinationStream, format: LogFormat = 'json'): Logger {
  const out = destination ?? stdout();
  return pino(loggerOptions(level), format === 'pretty' ? pretty(out) : out);
}
