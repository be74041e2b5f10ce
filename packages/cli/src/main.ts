/** The `lakegate` command: dispatches to one module per sub-command and turns failures into exit codes. */
import { describeFailure, UsageError } from './cli/errors.js';
import { Output } from './cli/output.js';

const USAGE = `usage: lakegate <command> [options]

commands:
  serve                         start the catalog server (embedded SQLite + local warehouse by default)
  login                         check a catalog connection and store it as a profile
  config                        show the settings in effect and the catalog's negotiated configuration
  ns ls|create|drop             namespaces
  table ls|describe|create|drop|rename
                                tables (TABLE is NAMESPACE.NAME, e.g. sales.eu.orders)
  view ls|describe              views
  undrop ls|ID [--as NS.NAME]   dropped tables, views, Lance tables and namespaces: list them, restore one
  maintain TABLE [--dry-run]    expire snapshots and delete unreachable and orphan files now; or --compact,
                                --rewrite-manifests, --optimize (a Lance table), --status
  policy ls|show|create|update|rm|effective TABLE
                                row-filter and column-mask policies of a table, and your effective one
  policy enforcers|enforce|unenforce
                                engines declared to enforce a warehouse's policies themselves
  label show|set|rm TABLE [--view]
                                catalog-supplied labels of a table or view, answered on its loads
  function ls|show|put|rm       functions (SQL UDFs): list, show, put from metadata JSON, drop
  creds TABLE                   vended storage credentials: prefix, provider, expiry (secrets only if asked)
  token inspect|exchange        decode a JWT (unverified); RFC 8693 token exchange
  admin principal|api-key|access-key|warehouse|role|grant|revoke|grants|explain|audit
                                Lakegate's management API: service principals and their keys, warehouses, roles
                                and their members, grants, explain ("may X do P on O, and through which
                                grant?"), the audit trail
  help                          show this help

Output is aligned text; --json prints one JSON document on stdout for scripts. Errors go to stderr; exit
code 1 means the catalog (or the network) refused, 2 a usage or configuration error.
Run "lakegate <command> --help" for a command's options.`;

type Command = (argv: string[]) => Promise<number | undefined>;

// Each command's module is imported when it runs: `lakegate --help` loads none of them, and a client command loads
// the SDK (whose runtime imports avoid the protocol package's schemas) but not the others, nor the server: Fastify,
// SQLite and the cloud SDKs take seconds to load, and only `serve` pays for them.
const COMMANDS: Record<string, Command> = {
  serve: async (argv) => (await import('./commands/serve.js')).serve(argv),
  login: async (argv) => (await import('./commands/login.js')).login(argv),
  config: async (argv) => (await import('./commands/config.js')).config(argv),
  ns: async (argv) => (await import('./commands/ns.js')).ns(argv),
  namespace: async (argv) => (await import('./commands/ns.js')).ns(argv),
  table: async (argv) => (await import('./commands/table.js')).tableCommand(argv),
  view: async (argv) => (await import('./commands/view.js')).viewCommand(argv),
  creds: async (argv) => (await import('./commands/creds.js')).creds(argv),
  token: async (argv) => (await import('./commands/token.js')).tokenCommand(argv),
  admin: async (argv) => (await import('./commands/admin.js')).admin(argv),
  undrop: async (argv) => (await import('./commands/undrop.js')).undrop(argv),
  maintain: async (argv) => (await import('./commands/maintain.js')).maintain(argv),
  policy: async (argv) => (await import('./commands/policy.js')).policyCommand(argv),
  label: async (argv) => (await import('./commands/label.js')).labelCommand(argv),
  function: async (argv) => (await import('./commands/function.js')).functionCommand(argv),
};

export async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const out = new Output({ json: rest.includes('--json') });
  try {
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!run) throw new UsageError(`unknown command ${JSON.stringify(command)}; run "lakegate help"`);
    return await run(rest);
  } catch (error) {
    const failure = describeFailure(error);
    out.error(failure);
    if (failure.exitCode === 2 && !out.json && !(error instanceof UsageError && /^unknown command/.test(error.message))) {
      process.stderr.write(`run "lakegate ${command} --help" for usage\n`);
    }
    return failure.exitCode;
  }
}
