/**
 * Command-line parsing on node:util parseArgs. Every catalog command accepts the same connection options (profile,
 * uri, warehouse, auth) so that flags can override a stored profile anywhere.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Options every catalog command understands (connection, auth, output). */
export const CONNECTION_OPTIONS = {
  profile: { type: 'string', short: 'p' },
  uri: { type: 'string' },
  warehouse: { type: 'string', short: 'w' },
  auth: { type: 'string' },
  credential: { type: 'string' },
  token: { type: 'string' },
  'api-key': { type: 'string' },
  scope: { type: 'string' },
  'oauth2-server-uri': { type: 'string' },
  'signing-region': { type: 'string' },
  'signing-name': { type: 'string' },
  'catalog-property': { type: 'string', multiple: true },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

/** Help text for {@link CONNECTION_OPTIONS}, appended to every command's help. */
export const CONNECTION_HELP = `connection options (flags > environment > profile):
  -p, --profile NAME          stored profile (default: $LAKEGATE_PROFILE or "default")
  --uri URL                   catalog URI ($LAKEGATE_URI)
  -w, --warehouse NAME        warehouse ($LAKEGATE_WAREHOUSE)
  --auth TYPE                 auth provider by name: none, bearer, oauth2, api-key, sigv4, ... ($LAKEGATE_AUTH_TYPE)
  --credential ID:SECRET      OAuth2 client credential ($LAKEGATE_CREDENTIAL); "-" reads stdin, "@FILE" a file
                              (also a {"credential": …} file: admin-credentials.json, --credential-file)
  --token TOKEN               static bearer token ($LAKEGATE_TOKEN); "-" or "@FILE" as above
  --api-key KEY               API key ($LAKEGATE_API_KEY); "-" or "@FILE" as above
  --scope SCOPE               OAuth2 scope ($LAKEGATE_SCOPE)
  --oauth2-server-uri URL     token endpoint (default {uri}/v1/oauth/tokens)
  --signing-region R, --signing-name N   SigV4 settings
  --catalog-property K=V      any other catalog property (repeatable), e.g. header.X-Trace=1
  --timeout SECONDS           per-request timeout (default 30)
  --json                      machine-readable output on stdout
  -h, --help                  this help`;

/** The values parseArgs yields for an option spec. */
export type ParsedValues<O> = {
  [K in keyof O]?: O[K] extends { multiple: true } ? string[] : O[K] extends { type: 'boolean' } ? boolean : string;
};

/** Parsed connection options. */
export type ConnectionValues = ParsedValues<typeof CONNECTION_OPTIONS>;

/**
 * Parses a sub-command's arguments: its own options plus the connection options. Unknown flags are usage errors.
 *
 * @example
 * ```ts
 * const { values, positionals } = parseCommand(argv, { purge: { type: 'boolean' } });
 * ```
 */
export function parseCommand<O extends OptionSpec>(argv: string[], options: O): { values: ConnectionValues & ParsedValues<O>; positionals: string[] } {
  const parsed = parseArgs({ args: argv, options: { ...CONNECTION_OPTIONS, ...options }, allowPositionals: true, strict: true });
  return { values: parsed.values as ConnectionValues & ParsedValues<O>, positionals: parsed.positionals };
}

/** Exactly `count` positional arguments, or a usage error naming what is expected. */
export function positionalArgs(positionals: string[], names: string[], optional = 0): string[] {
  const min = names.length - optional;
  if (positionals.length < min) throw new UsageError(`missing argument ${names[positionals.length]}`);
  if (positionals.length > names.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[names.length])}`);
  return positionals;
}

/** `key=value` pairs (from repeatable flags) as a record. */
export function keyValues(pairs: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new UsageError(`${flag} expects KEY=VALUE, got ${JSON.stringify(pair)}`);
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

let stdinConsumed = false;

/**
 * A value that may be secret: "-" reads it from stdin, "@FILE" from a file (so it stays out of `ps` and shell
 * history), anything else is taken literally. Trailing newlines are removed.
 */
export function secretArg(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  let text = value;
  if (value === '-') {
    if (stdinConsumed) throw new UsageError(`only one option can read stdin ("-"), and ${flag} is the second`);
    stdinConsumed = true;
    text = readFileSync(0, 'utf8');
  } else if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch (e) {
      throw new UsageError(`${flag}: cannot read ${value.slice(1)}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  text = text.replace(/[\r\n]+$/, '');
  if (text === '') throw new UsageError(`${flag} is empty`);
  return text;
}

/**
 * An OAuth2 client credential given like {@link secretArg}. A credential file that the server (its
 * `admin-credentials.json`) or `admin principal create --credential-file` wrote, `{"credential": "id:secret"}`,
 * gives the credential it holds.
 *
 * @example
 * ```ts
 * credentialArg('@.lakegate/admin-credentials.json', '--credential'); // "client-id:secret"
 * ```
 */
export function credentialArg(value: string | undefined, flag: string): string | undefined {
  const text = secretArg(value, flag);
  if (text === undefined || !text.trimStart().startsWith('{')) return text;
  let credential: unknown;
  try {
    credential = (JSON.parse(text) as { credential?: unknown } | null)?.credential;
  } catch {
    credential = undefined;
  }
  // Never echo the text: it holds a secret.
  if (typeof credential !== 'string' || credential === '') throw new UsageError(`${flag}: a JSON credential file must hold {"credential": "id:secret"}`);
  return credential;
}

/** A JSON value given inline or as "@FILE" (or "-" for stdin). */
export function jsonArg(value: string, flag: string): unknown {
  const text = secretArg(value, flag)!;
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${flag} is not valid JSON`);
  }
}

/** A positive number of seconds. */
export function secondsArg(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number of seconds`);
  return n;
}
