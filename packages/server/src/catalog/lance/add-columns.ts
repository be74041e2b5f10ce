/**
 * AlterTableAddColumns (lance-namespace 0.13, `POST /table/{id}/add_columns`): the catalog adds columns defined by SQL
 * expressions to a table of catalog-managed versions, as one new version, through the Lance library (the
 * LanceColumnAdder port; in tree LanceDB's `Table.addColumns` on the catalog's private loopback Lance namespace, as
 * UpdateFieldMetadata: lance-optimize/lancedb-add-columns.ts). An entry's `expression` is evaluated once over the
 * existing rows; `computed` declares a computed column: added all-null with its expression kept as the column's
 * binding, its type and inputs derived from the expression, its rows filled by a refresh (LanceDB's `refreshColumn`,
 * which commits through the namespace like any write). `virtual_column` (a UDF-backed column) needs an engine the
 * catalog does not have: 406.
 *
 * Validate → authorize → execute: the entries' shape (400: exactly one of expression, computed, virtual_column, names
 * distinct, expressions and computed columns not mixed in one call, since the spec answers one version), virtual
 * columns (406), then the caller's `table:write-data` on the table (as CreateTableVersion), a table whose versions the
 * catalog manages (400 otherwise), the branch (404 code 22), a version to add to (400 while only declared), the
 * library (406 without it); a taken name or an expression the table cannot evaluate is a 400 before anything is
 * written. Framework-free: no HTTP, no SQL.
 */
import { CatalogError, illegalArgument, validation } from '../../errors/catalog-error.js';
import type { CatalogRequest } from '../context.js';
import { formatIdentifier } from '../identifiers.js';
import type { TableContext } from '../kit/table-kit.js';
import type { LanceColumnAdder, LanceNewColumn } from '../ports/lance-writer.js';
import { lanceLibraryMissing } from './library.js';
import { checkLanceTableId } from './table-id.js';
import { checkBranch } from './versions/checks.js';
import { requireManagedTable } from './versions/managed-table.js';

/** The most columns one request adds (the contract says the same). */
export const MAX_NEW_COLUMNS = 100;
/** The longest expression accepted. */
const MAX_EXPRESSION_LENGTH = 10_000;
/** The longest column name accepted (as a policy's column path). */
const MAX_NAME_LENGTH = 1024;

export class LanceAddColumnsService {
  private adder: LanceColumnAdder | undefined;

  constructor(private readonly ctx: TableContext) {}

  /** Attached where the server is composed (compose/lance-optimizer.ts); without one, AlterTableAddColumns is a 406. */
  useAdder(adder: LanceColumnAdder | undefined): void {
    this.adder = adder;
  }

  async add(request: CatalogRequest, idInput: unknown, input: { branch?: unknown; newColumns?: unknown }): Promise<{ version: number }> {
    // validate
    checkLanceTableId(idInput);
    checkBranch(input.branch);
    const { columns, computed } = checkColumns(input.newColumns);
    const scope = await this.ctx.scope(request);
    // authorize: a new version of the table, as CreateTableVersion
    const { id, record, branch } = await requireManagedTable(this.ctx, scope, idInput, ['table:write-data'], input.branch);
    if ((await this.ctx.store.lanceVersions.head(record.id, branch)) === undefined)
      throw illegalArgument(`Table ${formatIdentifier(id.namespace, id.name)} has no version yet: columns are added to a version`);
    const adder = this.adder;
    if (adder === undefined) throw new CatalogError('ERR_NOT_IMPLEMENTED', lanceLibraryMissing('AlterTableAddColumns'));
    const missing = await adder.unavailable();
    if (missing !== undefined) throw new CatalogError('ERR_NOT_IMPLEMENTED', missing);
    // execute
    return adder.add({ warehouse: scope.warehouse.name, namespace: id.namespace, name: id.name, branch, committer: scope.caller }, columns, computed);
  }
}

function checkColumns(value: unknown): { columns: LanceNewColumn[]; computed: boolean } {
  if (!Array.isArray(value) || value.length === 0) throw validation('new_columns must be a list of at least one column');
  if (value.length > MAX_NEW_COLUMNS) throw validation(`new_columns may hold at most ${MAX_NEW_COLUMNS} columns`);
  const kinds = new Set<string>();
  const names = new Set<string>();
  const columns = value.map((entry: unknown, i): LanceNewColumn => {
    const at = `new_columns[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
      throw validation(`${at} must be an object with name and one of expression, computed`);
    const e = entry as { name?: unknown; expression?: unknown; computed?: unknown; virtual_column?: unknown };
    if (typeof e.name !== 'string' || e.name.trim().length === 0) throw validation(`${at}.name must be a non-empty string`);
    if (e.name.length > MAX_NAME_LENGTH) throw validation(`${at}.name is longer than ${MAX_NAME_LENGTH} characters`);
    // A control character or a lone surrogate (not UTF-8: the library stored it as U+FFFD, another name than asked).
    if (/[\p{Cc}\p{Cs}]/u.test(e.name)) throw validation(`${at}.name must be text without control characters or unpaired surrogates`);
    if (names.has(e.name)) throw validation(`${at}.name ${JSON.stringify(e.name)} is given twice`);
    names.add(e.name);
    const given = (['expression', 'computed', 'virtual_column'] as const).filter((k) => e[k] !== undefined && e[k] !== null);
    if (given.length !== 1) throw validation(`${at} must give exactly one of expression, computed, virtual_column (it gives ${given.length})`);
    const kind = given[0]!;
    if (kind === 'virtual_column')
      throw new CatalogError('ERR_NOT_IMPLEMENTED', `${at}: virtual columns (computed by a UDF when read) need an engine this catalog does not have`);
    const sql = e[kind];
    if (typeof sql !== 'string' || sql.trim().length === 0) throw validation(`${at}.${kind} must be a non-empty SQL expression`);
    if (sql.length > MAX_EXPRESSION_LENGTH) throw validation(`${at}.${kind} is longer than ${MAX_EXPRESSION_LENGTH} characters`);
    checkOneExpression(sql, `${at}.${kind}`);
    kinds.add(kind);
    return { name: e.name, sql };
  });
  if (kinds.size > 1) throw validation('new_columns adds either expression columns or computed columns in one call (each call is one version)');
  return { columns, computed: kinds.has('computed') };
}

/**
 * An expression is one SQL expression: its parentheses balanced and no `;` or comment outside string literals and
 * quoted identifiers. The library's parser reads an expression and ignores the text after it, and the adder's check
 * evaluates `(expression) IS NULL`: `id); DROP TABLE t; --` closed that parenthesis, commented the test out, skipped
 * the check and was committed as `id` (nothing was dropped, but the column was not what the text said).
 */
function checkOneExpression(sql: string, what: string): void {
  let depth = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      // The closing quote; a doubled one inside is the quote itself (SQL's escape).
      let end = sql.indexOf(c, i + 1);
      while (end >= 0 && sql[end + 1] === c) end = sql.indexOf(c, end + 2);
      if (end < 0) throw validation(`${what} has an unterminated ${c === "'" ? 'string literal' : 'quoted identifier'}`);
      i = end;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) throw validation(`${what} closes a parenthesis it did not open: one SQL expression is expected`);
    else if (c === ';') throw validation(`${what} must be one SQL expression, without ";"`);
    else if ((c === '-' && sql[i + 1] === '-') || (c === '/' && sql[i + 1] === '*')) throw validation(`${what} must be one SQL expression, without comments`);
  }
  if (depth > 0) throw validation(`${what} leaves ${depth} parenthesis${depth === 1 ? '' : 'es'} open`);
}
