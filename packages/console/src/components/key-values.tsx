/** String keys and their values (properties, labels) as table rows, sorted by key. */
import { Empty } from './states';

export function KeyValueRows({ values, testId }: { values: Record<string, string>; testId?: string }) {
  return (
    <>
      {Object.keys(values)
        .sort()
        .map((k) => (
          <tr key={k} data-testid={testId}>
            <th scope="row" className="mono">
              {k}
            </th>
            <td className="mono">{values[k]}</td>
          </tr>
        ))}
    </>
  );
}

/** An object's properties, or "No properties.". */
export function Properties({ values }: { values: Record<string, string> }) {
  if (Object.keys(values).length === 0) return <Empty>No properties.</Empty>;
  return (
    <table className="grid props">
      <tbody>
        <KeyValueRows values={values} />
      </tbody>
    </table>
  );
}
