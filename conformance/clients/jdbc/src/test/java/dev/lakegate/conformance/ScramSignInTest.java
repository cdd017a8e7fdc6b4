package dev.lakegate.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pgJDBC signs in with SCRAM-SHA-256 against the gateway of {@link IssuerGateway}: over
 * plaintext, and over TLS with {@code channelBinding=require} (SCRAM-SHA-256-PLUS, which pgJDBC
 * 42.7.12+ refuses to downgrade); a wrong password and an unknown user get the same 28P01.
 */
class ScramSignInTest {
  static IssuerGateway gateway;
  static String user;
  static String password;

  @BeforeAll
  static void startGateway() throws Exception {
    gateway = IssuerGateway.start();
    user = gateway.user("scram");
    password = gateway.setup.get("scramPassword").asText();
  }

  @AfterAll
  static void stopGateway() throws Exception {
    if (gateway != null) gateway.close();
  }

  static void assertSignsIn(String sslmode, String... extra) throws SQLException {
    gateway.assertSignsIn(user, password, sslmode, "tpch.tiny.region", 5, extra);
  }

  @Test
  void signsInOverPlaintext() throws SQLException {
    assertSignsIn("disable");
  }

  @Test
  void signsInWithChannelBindingOverTls() throws SQLException {
    assertSignsIn("require", "channelBinding", "require");
  }

  @Test
  void channelBindingRequiredWithoutTlsIsRefusedByTheClient() {
    assertThrows(SQLException.class, () -> gateway.connect(user, password, "disable", "channelBinding", "require").close());
  }

  @ParameterizedTest(name = "user {0} with a wrong password → 28P01")
  @ValueSource(strings = {"scram_user", "ghost"})
  void wrongPasswordAndUnknownUserGetTheSame28P01(String who) throws Exception {
    SQLException e = assertThrows(SQLException.class, () -> gateway.connect(who, "not the password", "require").close());
    assertEquals("28P01", e.getSQLState(), e.toString());
    assertTrue(e.getMessage().contains("password authentication failed for user \"" + who + "\""), e.getMessage());
    assertSignsIn("require");
  }
}
