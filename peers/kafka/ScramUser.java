// Adds (or replaces) a SCRAM-SHA-256 credential on a running broker (scripts/peers/kafka.sh scram-user), through the
// Admin API on its PLAINTEXT listener, and returns once the broker describes it (its metadata has the credential, so
// a client may authenticate with it). Run by Java's single-file source launcher with the cached Kafka jars on the
// class path. Arguments: BOOTSTRAP NAME; the password comes from KAFKA_SCRAM_PASSWORD (never a command-line argument).
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

public class ScramUser {
  public static void main(String[] args) throws Exception {
    if (args.length != 2 || System.getenv("KAFKA_SCRAM_PASSWORD") == null) {
      System.err.println("usage: KAFKA_SCRAM_PASSWORD=... ScramUser.java BOOTSTRAP NAME");
      System.exit(2);
    }
    String name = args[1];
    try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", args[0]))) {
      admin
          .alterUserScramCredentials(
              List.of(new UserScramCredentialUpsertion(name, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), System.getenv("KAFKA_SCRAM_PASSWORD"))))
          .all()
          .get();
      long deadline = System.currentTimeMillis() + 60_000;
      for (;;) {
        try {
          if (admin.describeUserScramCredentials(List.of(name)).description(name).get().credentialInfos().stream()
              .anyMatch(c -> c.mechanism() == ScramMechanism.SCRAM_SHA_256)) return;
        } catch (java.util.concurrent.ExecutionException notYet) {
          // ResourceNotFoundException until the broker has applied the change.
        }
        if (System.currentTimeMillis() > deadline) throw new IllegalStateException("the broker does not describe " + name + " after 60 s");
        Thread.sleep(100);
      }
    }
  }
}
