/**
 * Error answers quote what the caller sent: a name, a privilege, a value, the request's path (Lance's `instance`, the
 * not-found messages). A rule that bounds its input cuts the value where it quotes it; this is the backstop every
 * envelope applies, so that no answer carries a large input back, whichever message quotes it: a message is at most
 * {@link MAX_ERROR_MESSAGE} characters and an echoed path at most {@link MAX_ECHOED_PATH}, cut with "…".
 */
import { boundedText } from '../../catalog/bounded-text.js';

export const MAX_ERROR_MESSAGE = 1024;
export const MAX_ECHOED_PATH = 256;

/** The request's path without its query, as an answer may echo it. */
export const echoedPath = (url: string): string => boundedText(url.split('?', 1)[0]!, MAX_ECHOED_PATH);

/** An error message as an answer carries it. */
export const errorMessage = (message: string): string => boundedText(message, MAX_ERROR_MESSAGE);
