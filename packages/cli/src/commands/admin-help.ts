/** The help of `lakegate admin`, shared by its sub-command modules. */
import { PRIVILEGES } from '@lakegate/protocol/constants';
import { CONNECTION_HELP } from '../cli/args.js';

/** Every privilege the server grants, one word per kind: `table:create|list|…` (the list is the protocol's, never a copy). */
function privilegeWords(): string {
  const byKind = new Map<string, string[]>();
  for (const privilege of PRIVILEGES) {
    const [kind, action] = privilege.split(':') as [string, string];
    byKind.set(kind, [...(byKind.get(kind) ?? []), action]);
  }
  return [...byKind].map(([kind, actions]) => `  ${kind}:${actions.join('|')}`).join('\n');
}

export const ADMIN_HELP = `usage:
  lakegate admin principal ls
  lakegate admin principal create NAME [--admin] [--tenant T] [--delegate-user U ...] [--delegate-group G ...]
                                       [--delegate-issuer URL] [--credential-file FILE]
  lakegate admin principal rotate CLIENT_ID [--credential-file FILE]
  lakegate admin principal delegation CLIENT_ID [--delegate-user U ...] [--delegate-group G ...]
                                       [--delegate-issuer URL] [--assert-identity]
                                       replaces whom the principal may act for (token exchange)
  lakegate admin principal disable CLIENT_ID    refuses its credentials, keys and tokens (revokes its tokens)
  lakegate admin principal enable CLIENT_ID
  lakegate admin principal revoke-tokens CLIENT_ID   every token issued so far; credentials keep working
  lakegate admin api-key ls CLIENT_ID
  lakegate admin api-key create CLIENT_ID --name NAME [--expires-in SECONDS]
  lakegate admin api-key revoke KEY_ID
  lakegate admin access-key ls CLIENT_ID
  lakegate admin access-key create CLIENT_ID     a SigV4 access key
  lakegate admin access-key revoke CLIENT_ID ACCESS_KEY_ID
  lakegate admin warehouse ls
  lakegate admin warehouse create NAME --storage-root URI --storage-profile JSON|@FILE
                                       [--storage-secret JSON|@FILE|-] [--tenant T] [--property K=V ...]
                                       [--federation JSON|@FILE [--federation-secret JSON|@FILE] [--federation-tls-ca PEM_FILE]]
                                       federated: tables live in a remote catalog (docs/federation.md); --federation-tls-ca:
                                       a Hive metastore over TLS, its CA certificates (sets tls and tls-ca);
                                       [--federation-tls-client-cert PEM_FILE --federation-tls-client-key PEM_FILE]:
                                       mutual TLS, the certificate (tls-client-cert) and its key (sealed)
                                       [--federation-username USER --federation-password -|@FILE]: a Hive metastore's
                                       password login (auth password, username; the password sealed)
  lakegate admin warehouse set NAME [--property K=V ...] [--remove K ...]
                                       change settings: drop.retention-ms, maintenance.interval-ms, history.expire.*, compaction.*
  lakegate admin warehouse storage NAME --storage-profile JSON|@FILE [--storage-secret JSON|@FILE|- | --remove-storage-secret]
                                       replace the storage profile (same type and bucket; no secret: keep it)
  lakegate admin warehouse federation NAME [--federation JSON|@FILE] [--federation-tls-ca PEM_FILE]
                                       [--federation-secret JSON|@FILE|- | --remove-federation-secret]
                                       rotate a federated warehouse's remote credential or change its settings (tested first);
                                       [--federation-tls-client-cert PEM_FILE] [--federation-tls-client-key PEM_FILE]
                                       --federation-tls-ca alone: the stored settings with a new CA bundle
                                       (--federation-tls-client-cert likewise, with the new certificate)
                                       [--federation-username USER] [--federation-password -|@FILE]: a password login
  lakegate admin warehouse federation-status NAME
                                       call the remote now with the stored settings: ok, or its error (exit 1);
                                       then its recent failures (newest first) and when it last answered
  lakegate admin warehouse federation-failures NAME [--page-size N] [--page-token TOKEN]
                                       the remote's whole failure history, newest first, a page at a time
  lakegate admin warehouse grant TENANT [--root URI ... | --none]
                                       the storage a tenant's admins may create warehouses in (set: platform admins)
  lakegate admin role ls
  lakegate admin role create NAME [--description TEXT]
  lakegate admin role show NAME                  members and grants
  lakegate admin role rm NAME                    only once it has no members and no grants
  lakegate admin role add-member ROLE MEMBER
  lakegate admin role rm-member ROLE MEMBER
  lakegate admin grant PRIVILEGE[,...] ON SECURABLE TO ROLE
  lakegate admin revoke PRIVILEGE[,...] ON SECURABLE FROM ROLE
  lakegate admin grants [--role ROLE] [ON SECURABLE]
  lakegate admin explain SUBJECT PRIVILEGE ON SECURABLE
  lakegate admin audit [--actor TEXT] [--object TEXT] [--action ACTION] [--type TYPE] [--decision allow|deny]
                       [--since TIME] [--until TIME] [--limit N] [--before CURSOR]

--delegate-issuer names the issuer that vouches for the delegated users and groups: a trusted issuer's URL, or
"asserted" for names an assert-identity engine asserts (groups need it; a user without it is an asserted name or a
client id).
MEMBER is --principal CLIENT_ID, --user NAME --issuer URL, or --group NAME --issuer URL (URL: a trusted issuer,
or "asserted" for names an engine asserts). SUBJECT is a MEMBER; a --user may come with the --group GROUP ...
its token would carry.
SECURABLE is TYPE:IDENTIFIER, the identifier starting with the warehouse: warehouse:lake, namespace:lake.sales,
table:lake.sales.orders, view:lake.sales.daily. Quote a level that holds a dot: 'table:lake."2024.q1".orders'.
PRIVILEGE is one of these (a privilege on objects granted on a container covers every such object in it):
${privilegeWords()}
Role, grant and explain commands take --tenant T (platform administrators, for another tenant).
audit: --actor and --object match a substring, --action an action or a prefix ending in ":" or "." (table:);
TIME is ISO 8601, epoch milliseconds, or an age such as 30m, 12h, 7d. --limit is 1..1000 (default 50); when
there are more, --before CURSOR (printed) shows the next page.

A new or rotated client secret, API key or access key secret is shown once by the server. With --credential-file it is written to FILE
(mode 0600, {"credential": "id:secret"}) instead of stdout. Give --storage-secret as @FILE or "-" (stdin) so
it stays out of the process list and shell history; it is stored encrypted and never shown again.

${CONNECTION_HELP}`;
