/**
 * `lakegate function`: functions (SQL UDFs, apache/iceberg#15180). `ls` and `show` read them as engines do (the
 * Iceberg REST listFunctions and loadFunction); `put` and `rm` write them through the management API, since the
 * spec defines no write operation. `put` takes the function's metadata as JSON (the loadFunction `metadata` object;
 * function-uuid and definition-log may be left out) from a file (`--file FILE`) or stdin (`--file -`).
 */
import { readFileSync } from 'node:fs';
import { parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { help, isHelpWord } from '../cli/dispatch.js';
import { UsageError } from '../cli/errors.js';
import { formatObjectIdentifier, namespaceArgument, parseObjectIdentifier } from '../cli/identifiers.js';
import { table } from '../cli/output.js';
import { openCatalog, openManagement } from '../cli/settings.js';

export const FUNCTION_HELP = `usage: lakegate function ls NAMESPACE
       lakegate function show FUNCTION
       lakegate function put FUNCTION --file FILE|-
       lakegate function rm FUNCTION

Functions are SQL UDFs kept by the catalog: every overloaded definition (its parameters and return type) with its
SQL bodies per dialect. FUNCTION is NAMESPACE.NAME. "put" creates or replaces a function from its metadata JSON (the
"metadata" object that "show --json" prints); it needs function:create (new) or function:replace on the namespace,
"rm" needs function:drop, "ls" function:list and "show" function:read.
  --file FILE   the metadata JSON ("-": stdin)`;

const OPTIONS = { file: { type: 'string' } } as const;

export async function functionCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, OPTIONS);
  const [sub, ...rest] = positionals;
  if (values.help || sub === undefined || isHelpWord(sub)) return help(FUNCTION_HELP);
  const { out, settings } = commandContext(values);
  switch (sub) {
    case 'ls':
    case 'list': {
      const namespace = namespaceArgument(rest);
      const catalog = openCatalog(settings);
      const names: string[] = [];
      for (let token: string | undefined, first = true; first || token; first = false) {
        const page = await catalog.listFunctions(namespace, token ? { pageToken: token } : {});
        names.push(...page.items.map((f) => formatObjectIdentifier(f)));
        token = page.nextPageToken;
      }
      out.result(names, () => (names.length > 0 ? names.join('\n') : 'no functions'));
      return 0;
    }
    case 'show':
    case 'describe': {
      const [name] = positionalArgs(rest, ['FUNCTION']);
      const loaded = await openCatalog(settings).loadFunction(parseObjectIdentifier(name!, undefined, 'function'));
      out.result(loaded, () => render(name!, loaded.metadata));
      return 0;
    }
    case 'put': {
      const [name] = positionalArgs(rest, ['FUNCTION']);
      const warehouse = requireWarehouse(settings.warehouse);
      if (values.file === undefined) throw new UsageError('function put needs --file FILE (or --file - for stdin) with the metadata JSON');
      const metadata = parseJson(values.file);
      const stored = await out.progress('putting the function', () =>
        openManagement(settings).functions.put(warehouse, parseObjectIdentifier(name!, undefined, 'function'), metadata as never),
      );
      out.result(stored, () => `Put function ${name}\n${render(name!, stored.metadata)}`);
      return 0;
    }
    case 'rm':
    case 'drop': {
      const [name] = positionalArgs(rest, ['FUNCTION']);
      const warehouse = requireWarehouse(settings.warehouse);
      await out.progress('dropping the function', () =>
        openManagement(settings).functions.drop(warehouse, parseObjectIdentifier(name!, undefined, 'function')),
      );
      out.result({ dropped: name }, () => `Dropped function ${name}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown function command ${JSON.stringify(sub)}; run "lakegate function --help"`);
  }
}

function requireWarehouse(warehouse: string | undefined): string {
  if (!warehouse) throw new UsageError('function needs a warehouse: --warehouse NAME, $LAKEGATE_WAREHOUSE or a profile with one');
  return warehouse;
}

function parseJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new UsageError(`--file: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--file: ${file === '-' ? 'stdin' : file} is not JSON`);
  }
}

type Metadata = {
  definitions: Array<{
    'definition-id': string;
    'return-type': unknown;
    'current-version-id': number;
    versions: Array<{ 'version-id': number; representations: Array<{ dialect: string }> }>;
  }>;
  doc?: string;
};

function render(name: string, metadata: Metadata): string {
  const rows = metadata.definitions.map((d) => ({
    signature: `${name}(${d['definition-id']})`,
    returns: typeof d['return-type'] === 'string' ? d['return-type'] : JSON.stringify(d['return-type']),
    version: String(d['current-version-id']),
    dialects: (d.versions.find((v) => v['version-id'] === d['current-version-id'])?.representations ?? []).map((r) => r.dialect).join(', '),
  }));
  return `${metadata.doc ? `${metadata.doc}\n` : ''}${table(rows, ['signature', 'returns', 'version', 'dialects'])}`;
}
