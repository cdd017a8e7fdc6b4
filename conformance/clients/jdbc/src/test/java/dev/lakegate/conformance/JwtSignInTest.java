package dev.lakegate.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * pgJDBC signs in with a JWT sent as the password. {@code ../oidc/issuer-gateway.mjs} serves a
 * local OIDC-style issuer over HTTPS (discovery document and JWKS) and starts its own gateway
 * (dist/server/main.js, so {@code npm run build} first) whose {@code jwt} rule trusts that
 * issuer on {@code hostssl} only; it prints the gateway's port and the tokens it minted, and
 * stops when its stdin is closed. Independent of LAKEGATE_TARGET: it never uses the shared
 * gateway.
 */
class JwtSignInTest {
  static final Path HELPER = Path.of("..", "oidc", "issuer-gateway.mjs");
  static Process helper;
  static JsonNode setup;
  static String user;

  @BeforeAll
  static void startIssuerAndGateway() throws Exception {
    helper = new ProcessBuilder("node", HELPER.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.UTF_8));
    String line = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).get(60, TimeUnit.SECONDS);
    if (line == null) throw new IllegalStateException(HELPER + " exited without starting the gateway (see stderr)");
    setup = new ObjectMapper().readTree(line);
    user = setup.get("users").get("jwt").asText();
  }

  @AfterAll
  static void stopIssuerAndGateway() throws Exception {
    if (helper == null) return;
    helper.getOutputStream().close(); // the helper stops the gateway and the issuer on EOF
    if (!helper.waitFor(20, TimeUnit.SECONDS)) {
      helper.destroyForcibly().waitFor();
      throw new IllegalStateException(HELPER + " did not stop within 20 s");
    }
    assertEquals(0, helper.exitValue(), HELPER + " exit status");
  }

  static String token(String kind) {
    return setup.get("tokens").get(user).get(kind).asText();
  }

  static Connection connect(String password, String sslmode) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("sslmode", sslmode);
    p.setProperty("connectTimeout", "10");
    p.setProperty("ApplicationName", "lakegate-pgjdbc-jwt");
    return DriverManager.getConnection("jdbc:postgresql://" + setup.get("host").asText() + ":" + setup.get("port").asInt() + "/lakegate", p);
  }

  static String gatewayLog() throws IOException {
    return Files.readString(Path.of(setup.get("gatewayLog").asText()));
  }

  /** The gateway's log once it holds {@code line} (it reaches the file shortly after the FATAL). */
  static String awaitLogged(String line) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    String log = gatewayLog();
    while (!log.contains(line) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      log = gatewayLog();
    }
    assertTrue(log.contains(line), "expected in the gateway log: " + line + "\ngateway log:\n" + log);
    return log;
  }

  /** A valid token signs in over TLS as the token's subject and runs a query. */
  static void assertValidSignIn() throws SQLException {
    try (Connection c = connect(token("valid"), "require");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select current_user, count(*) from tpch.tiny.nation")) {
      assertTrue(rs.next());
      assertEquals(user, rs.getString(1));
      assertEquals(25, rs.getLong(2));
      assertFalse(rs.next());
    }
  }

  @Test
  void validTokenSignsInOverTlsAndQueries() throws SQLException {
    assertValidSignIn();
  }

  /** GET over HTTPS, trusting only the issuer's self-signed certificate. */
  static JsonNode issuerGet(String url) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream pem = Files.newInputStream(Path.of(setup.get("issuerCertificate").asText()))) {
      trust.setCertificateEntry("issuer", CertificateFactory.getInstance("X.509").generateCertificate(pem));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    HttpResponse<String> r = HttpClient.newBuilder().sslContext(tls).build()
        .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), url);
    return new ObjectMapper().readTree(r.body());
  }

  @Test
  void theIssuerPublishesDiscoveryAndTheSigningKey() throws Exception {
    // what the gateway's jwksUrl was read from: the discovery document names the issuer that
    // the tokens carry, and its jwks_uri lists the key id the valid token is signed with
    String issuer = setup.get("issuer").asText();
    JsonNode discovery = issuerGet(setup.get("discovery").asText());
    assertEquals(issuer + "/.well-known/openid-configuration", setup.get("discovery").asText());
    assertEquals(issuer, discovery.get("issuer").asText());
    String[] parts = token("valid").split("\\.");
    Base64.Decoder b64 = Base64.getUrlDecoder();
    JsonNode header = new ObjectMapper().readTree(b64.decode(parts[0]));
    JsonNode claims = new ObjectMapper().readTree(b64.decode(parts[1]));
    assertEquals(issuer, claims.get("iss").asText());
    JsonNode keys = issuerGet(discovery.get("jwks_uri").asText()).get("keys");
    assertEquals(1, keys.size());
    assertEquals(header.get("kid").asText(), keys.get(0).get("kid").asText());
    assertFalse(keys.get(0).has("d"), "the JWKS holds public keys only");
    assertValidSignIn();
  }

  @ParameterizedTest(name = "{0} → 28000, then a valid sign-in works")
  @CsvSource({
      "expired, ERR_JWT_EXPIRED",
      "wrongAudience, ERR_JWT_CLAIM_VALIDATION_FAILED: unexpected \"aud\" claim value",
      "algNone, ERR_JOSE_ALG_NOT_ALLOWED",
      "unknownKey, ERR_JWKS_NO_MATCHING_KEY",
  })
  void badTokenIsRefusedWith28000(String kind, String loggedReason) throws Exception {
    String bad = token(kind);
    SQLException e = assertThrows(SQLException.class, () -> connect(bad, "require").close());
    assertEquals("28000", e.getSQLState(), e.toString());
    assertTrue(e.getMessage().contains("JWT authentication failed for user \"" + user + "\""), e.getMessage());
    String log = awaitLogged("JWT sign-in refused for user \"" + user + "\": " + loggedReason);
    String signature = bad.substring(bad.lastIndexOf('.') + 1);
    String payload = bad.split("\\.")[1];
    assertFalse(log.contains(payload) || (!signature.isEmpty() && log.contains(signature)), "the token reached the gateway log");
    assertValidSignIn();
  }

  @Test
  void plaintextIsRefusedBeforeTheTokenIsAsked() {
    // the rule is hostssl: without TLS no rule matches, so no password (token) is requested
    SQLException e = assertThrows(SQLException.class, () -> connect(token("valid"), "disable").close());
    assertEquals("28000", e.getSQLState(), e.toString());
    assertTrue(e.getMessage().contains("no pg_hba.conf entry for host \"127.0.0.1\", user \"" + user + "\", database \"lakegate\", no encryption"), e.getMessage());
  }
}
