// An UnboundID in-memory LDAP directory listening on 127.0.0.1 only (the SDK's own command-line tool has no listen
// address option and binds every interface). Run by scripts/peers/ldap.sh in Java's source-file mode on the SDK jar.
// Arguments: BASE_DN PORT LDIF_FILE. Loads the LDIF (entries with userPassword: simple binds check it), listens, logs
// "listening on 127.0.0.1:PORT" and serves until it is stopped (SIGTERM). Its access log (one line per request and
// result: binds with their DN and result code, never a password) goes to stdout, which ldap.sh writes to DIR/ldap.log.
import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import java.net.InetAddress;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import java.util.logging.StreamHandler;

public class LoopbackDirectory {
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: LoopbackDirectory BASE_DN PORT LDIF_FILE");
      System.exit(2);
    }
    InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(args[0]);
    config.setListenerConfigs(
        InMemoryListenerConfig.createLDAPConfig("loopback", InetAddress.getLoopbackAddress(), Integer.parseInt(args[1]), null));
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
    System.out.println("loaded " + entries + " entries; listening on 127.0.0.1:" + server.getListenPort());
    System.out.flush();
    Thread.currentThread().join();
  }
}
