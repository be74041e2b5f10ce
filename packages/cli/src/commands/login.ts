/** `lakegate login`: checks a connection and stores it as a profile (secrets in a 0600 file, never printed). */
import { CONNECTION_HELP, parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { help } from '../cli/dispatch.js';
import { keyValue } from '../cli/output.js';
import { maskProperties } from '../cli/secrets.js';
import { authTypeOf, openCatalog, requireUri } from '../cli/settings.js';

const HELP = `usage: lakegate login --uri URL [--warehouse W] [auth options] [--profile NAME] [--no-verify]

Stores a profile (default "default") in $LAKEGATE_CONFIG_DIR/profiles.json (mode 0600). Options not given keep
their value from the existing profile. Unless --no-verify, the catalog's /v1/config is fetched first with these
settings, so a wrong URI or credential is reported before anything is saved.

examples:
  lakegate login --uri http://127.0.0.1:8181 --warehouse default --credential @admin-credential.txt
  lakegate login --profile ci --uri https://catalog.example --auth bearer --token -   # token from stdin

${CONNECTION_HELP}`;

export async function login(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { 'no-verify': { type: 'boolean' } });
  if (values.help) return help(HELP);
  positionalArgs(positionals, []);
  const { out, settings } = commandContext(values, { allowNewProfile: true });
  const uri = requireUri(settings);
  const auth = authTypeOf(settings);
  // Constructing the client validates the auth configuration even with --no-verify.
  const catalog = openCatalog(settings);
  if (!values['no-verify']) await out.progress(`contacting ${uri}`, () => catalog.config());
  settings.store.save(settings.profileName, {
    uri,
    ...(settings.warehouse ? { warehouse: settings.warehouse } : {}),
    properties: settings.properties,
  });
  const shown = maskProperties(settings.properties);
  out.result(
    {
      profile: settings.profileName,
      file: settings.store.file,
      uri,
      warehouse: settings.warehouse ?? null,
      auth,
      verified: !values['no-verify'],
      properties: shown,
    },
    () =>
      [
        `Saved profile "${settings.profileName}" to ${settings.store.file} (mode 0600).`,
        keyValue(
          [
            ['uri', uri],
            ['warehouse', settings.warehouse],
            ['auth', auth],
            ['verified', values['no-verify'] ? 'no (--no-verify)' : 'yes'],
            ...Object.entries(shown).map(([k, v]): [string, string] => [k, v]),
          ],
          '  ',
        ),
      ].join('\n'),
  );
  return 0;
}
