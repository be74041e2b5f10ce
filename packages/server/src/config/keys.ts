/**
 * Every configuration key: its environment variable, its kind, its default and the description
 * `lakegate serve --help` prints and the README's reference table follows (a row per key).
 */
import type { KeyInfo } from './types.js';
import { ACCESS_KEYS } from './keys-access.js';
import { SERVING_KEYS } from './keys-serving.js';

/** The sweep's bounds: more often than every second only burns database reads; rarer than hourly lets retention overrun by hours. */
export const MIN_SWEEP_INTERVAL_MS = 1000;
export const MAX_SWEEP_INTERVAL_MS = 3_600_000;

/** In the order `lakegate serve --help` and the README's table list them. */
export const CONFIG_KEYS: KeyInfo[] = [...SERVING_KEYS, ...ACCESS_KEYS];
