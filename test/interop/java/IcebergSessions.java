/*
 * Drives Iceberg Java 1.11's REST client against Lakegate, for test/interop/iceberg-java-sessions.test.ts.
 * Run as a single-file source program: java -cp '<iceberg-java lib>/*' IcebergSessions.java MODE
 *
 * MODE engine    a plain RESTCatalog with `credential` (client credentials): namespace and table
 *                create / load / list / drop as that principal (optional LAKEGATE_REFRESH_WAIT_MS: then
 *                wait that long, e.g. past the server's maximum session lifetime, and list once more).
 * MODE delegated a RESTSessionCatalog with the same `credential`, used through a contextual session
 *                whose credentials carry a user's token under its RFC 8693 token-type URN. Iceberg's
 *                OAuth2Manager then exchanges it at the token endpoint (subject_token = the user's
 *                token, actor_token = the catalog session's token) and calls the catalog with the
 *                result; the same namespace and table steps run as the user.
 *
 * Everything secret comes from the environment (never argv, which other processes can read):
 *   LAKEGATE_URI, LAKEGATE_WAREHOUSE, LAKEGATE_CREDENTIAL ("client_id:client_secret"),
 *   LAKEGATE_NAMESPACE, and for `delegated` LAKEGATE_SUBJECT_TOKEN and LAKEGATE_SUBJECT_TOKEN_TYPE
 *   (optional LAKEGATE_REFRESH_WAIT_MS: then wait that long and call once more as the user).
 * Output: one "ok <step>" line per step done; on an exception "failed <class>: <message>" and exit 3.
 * Tokens are never printed.
 */
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SessionCatalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.rest.RESTSessionCatalog;
import org.apache.iceberg.types.Types;

public class IcebergSessions {
  private static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) throw new IllegalArgumentException("missing environment variable " + name);
    return value;
  }

  private static Map<String, String> catalogProperties() {
    String uri = env("LAKEGATE_URI");
    Map<String, String> props = new HashMap<>();
    props.put("uri", uri);
    props.put("warehouse", env("LAKEGATE_WAREHOUSE"));
    props.put("credential", env("LAKEGATE_CREDENTIAL"));
    // Named explicitly: Iceberg's fallback to <uri>/v1/oauth/tokens is deprecated and logs a warning.
    props.put("oauth2-server-uri", uri + "/v1/oauth/tokens");
    props.put("scope", "catalog");
    props.put("rest.auth.type", "oauth2");
    return props;
  }

  /** The same steps for both identities, so the server's log can be compared line by line. */
  private static void exercise(Catalog catalog, String namespaceName) {
    SupportsNamespaces namespaces = (SupportsNamespaces) catalog;
    Namespace ns = Namespace.of(namespaceName);
    // A HashMap, not Map.of: Iceberg's request builder probes the map with containsKey(null),
    // which the JDK's immutable maps answer with a NullPointerException.
    namespaces.createNamespace(ns, new HashMap<>(Map.of("comment", "created by IcebergSessions.java")));
    step("create-namespace " + ns);
    if (!namespaces.listNamespaces().contains(ns)) throw new IllegalStateException("listNamespaces misses " + ns);
    step("list-namespaces");
    namespaces.loadNamespaceMetadata(ns);
    step("load-namespace");

    TableIdentifier id = TableIdentifier.of(ns, "events");
    Schema schema = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()), Types.NestedField.optional(2, "payload", Types.StringType.get()));
    catalog.createTable(id, schema);
    step("create-table " + id);
    Table loaded = catalog.loadTable(id);
    if (loaded.schema().findField("payload") == null) throw new IllegalStateException("loaded table lost a column");
    step("load-table " + id);
    List<TableIdentifier> tables = catalog.listTables(ns);
    if (!tables.equals(List.of(id))) throw new IllegalStateException("listTables returned " + tables);
    step("list-tables");
    if (!catalog.dropTable(id, true)) throw new IllegalStateException("dropTable returned false");
    step("drop-table " + id);
    if (!namespaces.dropNamespace(ns)) throw new IllegalStateException("dropNamespace returned false");
    step("drop-namespace " + ns);
  }

  private static void step(String what) {
    System.out.println("ok " + what);
    System.out.flush();
  }

  public static void main(String[] args) throws Exception {
    String mode = args.length == 1 ? args[0] : "";
    try {
      switch (mode) {
        case "engine" -> {
          try (RESTCatalog catalog = new RESTCatalog()) {
            catalog.initialize("lakegate", catalogProperties());
            step("initialize");
            exercise(catalog, env("LAKEGATE_NAMESPACE"));
            String wait = System.getenv("LAKEGATE_REFRESH_WAIT_MS");
            if (wait != null) {
              // OAuth2Manager renews the catalog session in the background meanwhile.
              Thread.sleep(Long.parseLong(wait));
              catalog.listNamespaces();
              step("list-namespaces-after-refresh");
            }
          }
        }
        case "delegated" -> {
          try (RESTSessionCatalog sessions = new RESTSessionCatalog()) {
            // Initializing authenticates the engine itself (client credentials): that token is
            // the actor_token of every exchange below.
            sessions.initialize("lakegate", catalogProperties());
            step("initialize");
            Map<String, String> credentials = Map.of(env("LAKEGATE_SUBJECT_TOKEN_TYPE"), env("LAKEGATE_SUBJECT_TOKEN"));
            SessionCatalog.SessionContext user = new SessionCatalog.SessionContext("user-session-1", "end-user", credentials, Map.of());
            Catalog asUser = sessions.asCatalog(user);
            exercise(asUser, env("LAKEGATE_NAMESPACE"));
            String wait = System.getenv("LAKEGATE_REFRESH_WAIT_MS");
            if (wait != null) {
              // Past the point where OAuth2Manager refreshes the exchanged token (90% of its
              // lifetime) by a self-exchange; the next call uses the refreshed token.
              Thread.sleep(Long.parseLong(wait));
              ((SupportsNamespaces) asUser).listNamespaces();
              step("list-namespaces-after-refresh");
            }
            // The engine's own context still works beside the user's, under the engine's identity.
            ((SupportsNamespaces) sessions.asCatalog(SessionCatalog.SessionContext.createEmpty())).listNamespaces();
            step("engine-list-namespaces");
          }
        }
        default -> throw new IllegalArgumentException("usage: IcebergSessions.java engine|delegated");
      }
    } catch (RuntimeException e) {
      System.out.println("failed " + e.getClass().getName() + ": " + e.getMessage());
      e.printStackTrace();
      System.exit(3);
    }
  }
}
