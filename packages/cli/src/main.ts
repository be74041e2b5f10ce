/** The `lakegate` command: dispatches to one module per sub-command. */
import { serve } from './commands/serve.js';

const USAGE = `usage: lakegate <command> [options]

commands:
  serve     start the catalog server (embedded SQLite + local warehouse by default)
  help      show this help

run "lakegate serve --help" for the server's options`;

export async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      process.stderr.write(`lakegate: unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
      return 2;
  }
}
