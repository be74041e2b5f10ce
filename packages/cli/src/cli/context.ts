/** What every catalog command starts with: parsed flags, output mode, resolved connection settings. */
import type { ConnectionValues } from './args.js';
import { Output } from './output.js';
import { resolveSettings, type Settings } from './settings.js';

/** One command run. */
export interface CommandContext {
  out: Output;
  settings: Settings;
}

/**
 * Builds the context from a command's parsed flags.
 *
 * @example
 * ```ts
 * const { out, settings } = commandContext(values);
 * ```
 */
export function commandContext(values: ConnectionValues, options: { allowNewProfile?: boolean } = {}): CommandContext {
  return { out: new Output({ json: values.json === true }), settings: resolveSettings(values, options) };
}
