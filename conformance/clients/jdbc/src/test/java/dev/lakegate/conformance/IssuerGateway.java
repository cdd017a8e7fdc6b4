package dev.lakegate.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code ../oidc/issuer-gateway.mjs}: a local OIDC-style issuer over HTTPS and a gateway of its
 * own (dist/server/main.js, so {@code npm run build} first) with JWT, OAUTHBEARER and SCRAM
 * rules. It prints the gateway's port, users, password and tokens as one JSON line, and stops
 * when its stdin is closed. Independent of LAKEGATE_TARGET: it never uses the shared gateway.
 */
final class IssuerGateway implements AutoCloseable {
  static final Path HELPER = Path.of("..", "oidc", "issuer-gateway.mjs");
  final Process process;
  final JsonNode setup;

  private IssuerGateway(Process process, JsonNode setup) {
    this.process = process;
    this.setup = setup;
  }

  static IssuerGateway start() throws Exception {
    Process helper = new ProcessBuilder("node", HELPER.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.UTF_8));
    String line = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).get(60, TimeUnit.SECONDS);
    if (line == null) throw new IllegalStateException(HELPER + " exited without starting the gateway (see stderr)");
    return new IssuerGateway(helper, new ObjectMapper().readTree(line));
  }

  @Override
  public void close() throws Exception {
    process.getOutputStream().close(); // the helper stops the gateway and the issuer on EOF
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new IllegalStateException(HELPER + " did not stop within 20 s");
    }
    assertEquals(0, process.exitValue(), HELPER + " exit status");
  }

  String user(String kind) {
    return setup.get("users").get(kind).asText();
  }

  /** A pgJDBC connection to the helper's gateway; {@code extra} adds connection properties. */
  Connection connect(String user, String password, String sslmode, String... extra) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("sslmode", sslmode);
    p.setProperty("connectTimeout", "10");
    p.setProperty("ApplicationName", "lakegate-pgjdbc-sign-in");
    for (int i = 0; i + 1 < extra.length; i += 2) p.setProperty(extra[i], extra[i + 1]);
    return DriverManager.getConnection("jdbc:postgresql://" + setup.get("host").asText() + ":" + setup.get("port").asInt() + "/lakegate", p);
  }

  /** Signs in as {@code user} and checks that {@code current_user} and {@code select count(*) from table} answer as expected. */
  void assertSignsIn(String user, String password, String sslmode, String table, long rows, String... extra) throws SQLException {
    try (Connection c = connect(user, password, sslmode, extra);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select current_user, count(*) from " + table)) {
      assertTrue(rs.next());
      assertEquals(user, rs.getString(1));
      assertEquals(rows, rs.getLong(2));
      assertFalse(rs.next());
    }
  }

  String log() throws IOException {
    return Files.readString(Path.of(setup.get("gatewayLog").asText()));
  }

  /** The gateway's log once it holds {@code line} (it reaches the file shortly after the FATAL). */
  String awaitLogged(String line) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    String log = log();
    while (!log.contains(line) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      log = log();
    }
    assertTrue(log.contains(line), "expected in the gateway log: " + line + "\ngateway log:\n" + log);
    return log;
  }
}
