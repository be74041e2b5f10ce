/**
 * Structured JSON logs with secrets redacted. Headers that carry credentials
 * are censored by path; query strings are scrubbed of parameters that carry
 * tokens or signatures (presigned URLs, refresh tokens) before a URL is logged.
 */
import pino, { type Logger, type LoggerOptions } from 'pino';

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
];

// Page tokens are opaque cursors, not credentials, and stay readable in logs.
const NOT_SECRET_QUERY = /^(pageToken|page-token)$/;
const SECRET_QUERY = /^(x-amz-(signature|credential|security-token)|.*token.*|.*secret.*|signature|sig|credential|password|api[-_]?key)$/i;

/** A URL with the values of secret-bearing query parameters replaced by ***. */
export function scrubUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...params.keys()]) if (SECRET_QUERY.test(key) && !NOT_SECRET_QUERY.test(key)) params.set(key, '***');
  return `${url.slice(0, q)}?${params.toString()}`;
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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
