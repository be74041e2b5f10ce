/**
 * A copy of a token with `count` characters changed, each to a character it is not, the last of them `fromEnd`
 * characters before the end (1: the last character). Overwriting a tail with fixed letters ("AAAAAA", or "A" unless
 * the token ends in "A") leaves the token as it was whenever it already holds them there: a tamper test that then
 * fails, or passes, by chance. The default changes the second-last character, not the last, whose low bits in a
 * base64 text may be padding that a decoder ignores.
 */
export function tampered(token: string, { count = 1, fromEnd = 2 }: { count?: number; fromEnd?: number } = {}): string {
  const chars = [...token];
  const last = chars.length - fromEnd;
  if (count < 1 || last - count + 1 < 0 || last >= chars.length)
    throw new RangeError(`cannot change ${count} characters ending ${fromEnd} from the end of a ${chars.length}-character token`);
  for (let at = last - count + 1; at <= last; at++) chars[at] = chars[at] === 'A' ? 'B' : 'A';
  return chars.join('');
}
