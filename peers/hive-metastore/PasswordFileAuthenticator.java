// The Hive metastore's CUSTOM login provider for the federation tests (metastore.authentication=CUSTOM,
// metastore.custom.authentication.class=dev.lakegate.peers.PasswordFileAuthenticator): one user, whose password is
// the content of a file, read at every login (so a test can rotate it without a restart). Compiled by
// `scripts/peers/hive-metastore.sh custom-auth OUT_DIR` against the metastore's jars; OUT_DIR goes on its classpath.
// The metastore builds it with its Configuration: lakegate.auth.user and lakegate.auth.password-file.
package dev.lakegate.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.MessageDigest;
import javax.security.sasl.AuthenticationException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hive.metastore.MetaStorePasswdAuthenticationProvider;

public class PasswordFileAuthenticator implements MetaStorePasswdAuthenticationProvider {
  private final String user;
  private final String passwordFile;

  public PasswordFileAuthenticator(Configuration conf) {
    this.user = conf.get("lakegate.auth.user", "");
    this.passwordFile = conf.get("lakegate.auth.password-file", "");
  }

  @Override
  public void authenticate(String name, String password) throws AuthenticationException {
    byte[] expected;
    try {
      expected = Files.readString(Paths.get(passwordFile), StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AuthenticationException("the password file of the CUSTOM provider cannot be read");
    }
    boolean known = user.equals(name);
    boolean matches = MessageDigest.isEqual(expected, (password == null ? "" : password).getBytes(StandardCharsets.UTF_8));
    // One answer for an unknown user and a wrong password; neither the name nor the password is echoed.
    if (!known || !matches) throw new AuthenticationException("Invalid credentials (CUSTOM provider)");
  }
}
