/**
 * Column types a Lance dataset holds but the Lance library cannot read back through the policy-derived path
 * (lancedb-policy-deriver.ts, which reads every column of a row together). Found with LanceDB Node 0.39 and LanceDB
 * Python 0.40 (pylance 14), data storage version `stable`:
 *  - a fixed-size list of structs of more than one element (`fixed_size_list<struct<…>>[n]`, n > 1), as a column,
 *    a struct's field or a list's element: the table is written, its schema read, but reading its rows with any other
 *    column fails, "cannot read columns of differing lengths together (id=3, c=6)" (the list's child rows counted as
 *    its rows). One of a single element is read as stored, so it is carried;
 *  - a fixed-size list of fixed-size lists, of lists or of maps of structs, and a map whose value holds one, are
 *    refused (or panic) when written, so no table holds them.
 * The deriver marks such a column `uncarried` (catalog/ports/lance-policy.ts), so a policy on its table is refused
 * when written and a stored one is shown `unusable` (before 2026-11-29 the policy was taken, GET showed it `enforced`,
 * and every restricted read was refused while reading the rows).
 */
import { DataType } from 'apache-arrow';

/** Why Lance cannot read rows of `type` beside other columns (at any depth), or undefined when it can. */
export function unreadableByLance(type: DataType): string | undefined {
  if (DataType.isFixedSizeList(type) && type.listSize > 1 && DataType.isStruct(type.children[0]!.type))
    return `a fixed-size list of ${type.listSize} structs (${String(type)}): the Lance library writes it but cannot read it back beside other columns, "cannot read columns of differing lengths together"`;
  for (const child of type.children ?? []) {
    const reason = unreadableByLance(child.type);
    if (reason !== undefined) return reason;
  }
  return DataType.isDictionary(type) ? unreadableByLance(type.dictionary) : undefined;
}
