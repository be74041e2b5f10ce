/** The one rule for each Lance input that names a version, a branch or a tag, on every operation (CreateTableVersion, DescribeTable, ranges…). */
import { isCatalogError, validation } from '../../../errors/catalog-error.js';
import { MAIN_BRANCH } from '../../ports/lance-versions.js';

/** A version number: a non-negative integer JavaScript holds exactly (a bigint beyond 2^53 is refused). */
export function checkVersion(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw validation(`${what} must be a non-negative integer below 2^53`);
  return value;
}

/**
 * A branch name: absent, "" or "main" is the main branch; another is path segments of letters, digits, '.', '_' and
 * '-' joined by '/' (Lance keeps a branch under <table>/tree/<branch>/), at most 200 characters, no '.' segment, and a
 * name Lance takes as a branch ref: no '..' anywhere, not ending with '.lock' (Lance's ref check). Lance refuses those
 * only after CreateTableBranch committed the branch's first version through the catalog, so before this rule such a
 * name was answered 409 "has a branch already" and left a version on a branch no ref names
 * (hostile-lance-tags.test.ts); every operation refuses it alike.
 */
export function checkBranch(value: unknown): string {
  if (value === undefined || value === null || value === '' || value === 'main') return MAIN_BRANCH;
  if (
    typeof value !== 'string' ||
    value.length > 200 ||
    !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(value) ||
    value.split('/').some((s) => s === '.') ||
    value.includes('..') ||
    value.endsWith('.lock')
  ) {
    throw validation(
      'branch must be path segments of letters, digits, ".", "_" and "-" joined by "/" (at most 200 characters), without "..", not ending with ".lock"',
    );
  }
  return value;
}

/**
 * A tag name: letters, digits, '.', '_' and '-', at most 200 characters (Lance keeps a tag in
 * <table>/_refs/tags/<tag>.json, so the name is one path segment), and a name Lance takes as a ref: not beginning or
 * ending with '.', no '..', not ending with '.lock' (Lance 12's check_valid_ref; a name it refuses could never have
 * been written, so every operation refuses it alike, before authorization, rather than CreateTableTag a 400 from the
 * library and GetTableTagVersion a 404). Absent or "": no tag.
 *
 * Nor `__proto__`: Lance takes it, but LanceDB's Node binding (0.39), through which the catalog lists tags, answers
 * a tag of that name as its answer's prototype, so no listing could show it (hostile-lance-tags.test.ts); a tag of
 * that name another client wrote is left out of ListTableTags.
 */
export function checkTag(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value === '__proto__') throw validation('tag must not be "__proto__": the Lance library here cannot list a tag of that name');
  if (
    typeof value !== 'string' ||
    value.length > 200 ||
    !/^[A-Za-z0-9._-]+$/.test(value) ||
    value.startsWith('.') ||
    value.endsWith('.') ||
    value.includes('..') ||
    value.endsWith('.lock')
  ) {
    throw validation(
      'tag must be letters, digits, ".", "_" and "-" (at most 200 characters), neither beginning nor ending with ".", without "..", not ending with ".lock"',
    );
  }
  return value;
}

/**
 * A listing's page token: the last branch or tag name of the page before (absent or "": the first page). One that is
 * no such name is refused as a page token, not with the name rule, which the caller never typed.
 */
export function checkPageToken(token: string | undefined, check: (value: unknown) => string | undefined, what: 'branch' | 'tag'): string | undefined {
  if (token === undefined || token === '') return undefined;
  try {
    return check(token);
  } catch (e) {
    if (!isCatalogError(e)) throw e;
    throw validation(`page_token is not a token this listing hands out (the last ${what} name of the page before)`);
  }
}
