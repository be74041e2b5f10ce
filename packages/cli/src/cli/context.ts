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
  const out = new Output({ json: values.json === true });
  const settings = resolveSettings(values, options);
  const mode = settings.store.mode();
  // The file holds secrets; say so when someone loosened its permissions (we never do).
  if (mode !== undefined && (mode & 0o077) !== 0)
    out.warn(`${settings.store.file} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${settings.store.file}`);
  return { out, settings };
}
