// An UnboundID in-memory LDAP directory listening on 127.0.0.1 only (the SDK's own command-line tool has no listen
// address option and binds every interface). Run by scripts/peers/ldap.sh in Java's source-file mode on the SDK jar.
// Arguments: BASE_DN PORT LDIF_FILE [KEYSTORE LDAPS_PORT]. Loads the LDIF (entries with userPassword: simple binds check
// it), listens, logs "listening on 127.0.0.1:PORT" and serves until it is stopped (SIGTERM). With KEYSTORE (a PKCS12
// key and certificate, its password in the file beside it with .password for .p12) a second listener, "ldaps", speaks
// LDAP inside TLS only (ldaps://) on 127.0.0.1:LDAPS_PORT. Its access log (one line per request and
// result: binds with their DN and result code, never a password) goes to stdout, which ldap.sh writes to DIR/ldap.log.
import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.util.ssl.KeyStoreKeyManager;
import com.unboundid.util.ssl.SSLUtil;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import java.util.logging.StreamHandler;

public class LoopbackDirectory {
  public static void main(String[] args) throws Exception {
    if (args.length != 3 && args.length != 5) {
      System.err.println("usage: LoopbackDirectory BASE_DN PORT LDIF_FILE [KEYSTORE LDAPS_PORT]");
      System.exit(2);
    }
    InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(args[0]);
    InetAddress loopback = InetAddress.getLoopbackAddress();
    List<InMemoryListenerConfig> listeners = new ArrayList<>();
    listeners.add(InMemoryListenerConfig.createLDAPConfig("loopback", loopback, Integer.parseInt(args[1]), null));
    if (args.length == 5) {
      String keystore = args[3];
      char[] pin = Files.readString(Path.of(keystore.replaceAll("\\.p12$", ".password")), StandardCharsets.UTF_8).trim().toCharArray();
      SSLUtil tls = new SSLUtil(new KeyStoreKeyManager(keystore, pin, "PKCS12", null), null);
      listeners.add(InMemoryListenerConfig.createLDAPSConfig("ldaps", loopback, Integer.parseInt(args[4]), tls.createSSLServerSocketFactory(), null));
    }
    config.setListenerConfigs(listeners);
    config.setAccessLogHandler(
        new StreamHandler(
            System.out,
            new Formatter() {
              @Override
              public String format(LogRecord record) {
                return record.getMessage() + System.lineSeparator();
              }
            }) {
          @Override
          public synchronized void publish(LogRecord record) {
            super.publish(record);
            flush();
          }
        });
    InMemoryDirectoryServer server = new InMemoryDirectoryServer(config);
    int entries = server.importFromLDIF(true, args[2]);
    server.startListening();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> server.shutDown(true)));
    System.out.println(
        "loaded " + entries + " entries; listening on 127.0.0.1:" + server.getListenPort("loopback")
            + (args.length == 5 ? " and (ldaps) 127.0.0.1:" + server.getListenPort("ldaps") : ""));
    System.out.flush();
    Thread.currentThread().join();
  }
}
