/**
 * How the CLI fails. Scripts rely on the exit code: 2 when the command line or the configuration is wrong (nothing
 * was sent, or the server could not have succeeded with it), 1 when the catalog or the network refused the request.
 */
import { CatalogError, ConfigurationError, UnsupportedOperationError } from '@lakegate/client';

/** Exit code for usage and configuration errors. */
export const EXIT_USAGE = 2;
/** Exit code for errors answered by the server (or the network on the way to it). */
export const EXIT_SERVER = 1;

/**
 * The command line is wrong: unknown flag, missing argument, malformed identifier.
 *
 * @example
 * ```ts
 * if (!name) throw new UsageError('table create needs a TABLE argument');
 * ```
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The exit code and a one-line message for any error (never a stack trace). */
export function describeFailure(error: unknown): { exitCode: number; message: string; type: string; status?: number } {
  if (error instanceof UsageError) return { exitCode: EXIT_USAGE, message: error.message, type: 'UsageError' };
  if (error instanceof ConfigurationError) return { exitCode: EXIT_USAGE, message: error.message, type: 'ConfigurationError' };
  if (isParseArgsError(error)) return { exitCode: EXIT_USAGE, message: error.message, type: 'UsageError' };
  // SigV4 found no AWS credentials locally: nothing was sent, so it is configuration, not a server refusal.
  if (error instanceof Error && error.name === 'CredentialsProviderError') {
    return {
      exitCode: EXIT_USAGE,
      message: `no AWS credentials for SigV4 (${error.message}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE`,
      type: 'ConfigurationError',
    };
  }
  if (error instanceof CatalogError) {
    const status = error.status ? ` (HTTP ${error.status})` : '';
    const message = error.message.startsWith(error.type) ? error.message : `${error.type}: ${error.message}`;
    return { exitCode: EXIT_SERVER, message: `${message}${status}`, type: error.type, status: error.status };
  }
  if (error instanceof UnsupportedOperationError) return { exitCode: EXIT_SERVER, message: error.message, type: 'UnsupportedOperation' };
  return { exitCode: EXIT_SERVER, message: error instanceof Error ? error.message : String(error), type: 'Error' };
}

/** node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed options. */
function isParseArgsError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
