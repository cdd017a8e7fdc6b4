package dev.lakegate.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * pgJDBC signs in with a JWT sent as the password, against the gateway of
 * {@link IssuerGateway} whose {@code jwt} rule trusts a local OIDC-style issuer (keys found
 * through discovery) on {@code hostssl} only.
 */
class JwtSignInTest {
  static IssuerGateway gateway;
  static String user;

  @BeforeAll
  static void startIssuerAndGateway() throws Exception {
    gateway = IssuerGateway.start();
    user = gateway.user("jwt");
  }

  @AfterAll
  static void stopIssuerAndGateway() throws Exception {
    if (gateway != null) gateway.close();
  }

  static String token(String kind) {
    return gateway.setup.get("tokens").get(user).get(kind).asText();
  }

  static Connection connect(String password, String sslmode) throws SQLException {
    return gateway.connect(user, password, sslmode);
  }

  /** A valid token signs in over TLS as the token's subject and runs a query. */
  static void assertValidSignIn() throws SQLException {
    gateway.assertSignsIn(user, token("valid"), "require", "tpch.tiny.nation", 25);
  }

  @Test
  void validTokenSignsInOverTlsAndQueries() throws SQLException {
    assertValidSignIn();
  }

  /** GET over HTTPS, trusting only the issuer's self-signed certificate. */
  static JsonNode issuerGet(String url) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream pem = Files.newInputStream(Path.of(gateway.setup.get("issuerCertificate").asText()))) {
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
    String issuer = gateway.setup.get("issuer").asText();
    JsonNode discovery = issuerGet(gateway.setup.get("discovery").asText());
    assertEquals(issuer + "/.well-known/openid-configuration", gateway.setup.get("discovery").asText());
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
    String log = gateway.awaitLogged("JWT sign-in refused for user \"" + user + "\": " + loggedReason);
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
