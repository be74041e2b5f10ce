/**
 * Error answers quote what the caller sent: a name, a privilege, a value, the request's path (Lance's `instance`, the
 * not-found messages). A rule that bounds its input cuts the value where it quotes it; this is the backstop every
 * envelope applies, so that no answer carries a large input back, whichever message quotes it: a message is at most
 * {@link MAX_ERROR_MESSAGE} characters and an echoed path at most {@link MAX_ECHOED_PATH}, cut with "…".
 */
export const MAX_ERROR_MESSAGE = 1024;
export const MAX_ECHOED_PATH = 256;

/** `text`, or its first `max - 1` characters and "…" (never half of a surrogate pair). */
export function boundedText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/** The request's path without its query, as an answer may echo it. */
export const echoedPath = (url: string): string => boundedText(url.split('?', 1)[0]!, MAX_ECHOED_PATH);

/** An error message as an answer carries it. */
export const errorMessage = (message: string): string => boundedText(message, MAX_ERROR_MESSAGE);
