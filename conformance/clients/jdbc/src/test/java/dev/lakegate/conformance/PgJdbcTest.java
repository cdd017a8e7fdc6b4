package dev.lakegate.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGStatement;

/**
 * pgJDBC against the gateway. Target from env: LAKEGATE_HOST, LAKEGATE_PORT (127.0.0.1:7432),
 * LAKEGATE_USER, LAKEGATE_DB (lakegate); LAKEGATE_TARGET=postgres swaps the tpch queries for
 * equivalents PostgreSQL can run (nothing is skipped on either target).
 */
class PgJdbcTest {
  static final String HOST = env("LAKEGATE_HOST", "127.0.0.1");
  static final String PORT = env("LAKEGATE_PORT", "7432");
  static final String USER = env("LAKEGATE_USER", "lakegate");
  static final String DB = env("LAKEGATE_DB", "lakegate");
  static final boolean ON_POSTGRES = "postgres".equals(System.getenv("LAKEGATE_TARGET"));

  static String env(String name, String dflt) {
    String v = System.getenv(name);
    return v == null || v.isEmpty() ? dflt : v;
  }

  static Connection connect(String extra) throws SQLException {
    String url = "jdbc:postgresql://" + HOST + ":" + PORT + "/" + DB
        + "?ApplicationName=lakegate-jdbc-suite&connectTimeout=10&socketTimeout=120"
        + (extra.isEmpty() ? "" : "&" + extra);
    Properties props = new Properties();
    props.setProperty("user", USER);
    String pw = System.getenv("LAKEGATE_PASSWORD");
    if (pw != null) props.setProperty("password", pw);
    return DriverManager.getConnection(url, props);
  }

  static final String PARAM_SQL =
      "select ?::int4 + 1, ?::text, ?::numeric(10,2), ?::int8, ?::float8, ?::bool, ?::date, ?::timestamp";

  static List<Object> row(ResultSet rs) throws SQLException {
    List<Object> r = new ArrayList<>();
    r.add(rs.getInt(1));
    r.add(rs.getString(2));
    r.add(rs.getBigDecimal(3));
    r.add(rs.getLong(4));
    r.add(rs.getDouble(5));
    r.add(rs.getBoolean(6));
    r.add(rs.getObject(7, LocalDate.class));
    r.add(rs.getObject(8, LocalDateTime.class));
    // and the text the driver renders for each column
    for (int i = 1; i <= 8; i++) r.add(rs.getString(i));
    return r;
  }

  /**
   * The same PreparedStatement executed 10 times. With the default prepareThreshold=5 executions
   * 5+ switch to a named server-side statement (and binary transfer for the types pgJDBC
   * receives in binary); prepareThreshold=-1 forces a server-prepared statement with binary
   * transfer from the first execution; binaryTransfer=false keeps everything in text.
   */
  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      "",
      "prepareThreshold=-1&binaryTransfer=true",
      "prepareThreshold=1&binaryTransfer=true",
      "binaryTransfer=false",
      "preferQueryMode=extendedForPrepared"})
  void preparedStatementTenTimesSameValues(String options) throws SQLException {
    List<Object> expected = List.of(
        42, "héllo, wörld", new BigDecimal("12.35"), 9007199254740993L, 3.25, true,
        LocalDate.of(2024, 2, 29), LocalDateTime.of(2024, 2, 29, 13, 45, 56, 123_456_000),
        "42", "héllo, wörld", "12.35", "9007199254740993", "3.25", "t", "2024-02-29",
        "2024-02-29 13:45:56.123456");
    try (Connection c = connect(options); PreparedStatement ps = c.prepareStatement(PARAM_SQL)) {
      for (int i = 1; i <= 10; i++) {
        ps.setInt(1, 41);
        ps.setString(2, "héllo, wörld");
        ps.setBigDecimal(3, new BigDecimal("12.345"));
        ps.setLong(4, 9007199254740993L);
        ps.setDouble(5, 3.25);
        ps.setBoolean(6, true);
        ps.setObject(7, LocalDate.of(2024, 2, 29));
        ps.setObject(8, LocalDateTime.of(2024, 2, 29, 13, 45, 56, 123_456_000));
        try (ResultSet rs = ps.executeQuery()) {
          assertTrue(rs.next(), "execution " + i + " returned no row");
          assertEquals(expected, row(rs), "execution " + i + " (" + options + ")");
          assertFalse(rs.next(), "execution " + i + " returned more than one row");
        }
      }
      if (!options.contains("preferQueryMode")) {
        assertTrue(ps.unwrap(PGStatement.class).isUseServerPrepare(),
            "after 10 executions the statement should be server-prepared");
      }
    }
  }

  @Test
  void preparedStatementNullsAndReuseWithDifferentValues() throws SQLException {
    try (Connection c = connect("prepareThreshold=1");
        PreparedStatement ps = c.prepareStatement("select ?::int4 * 2, upper(?::text)")) {
      for (int i = 0; i < 8; i++) {
        ps.setInt(1, i);
        ps.setString(2, "v" + i);
        try (ResultSet rs = ps.executeQuery()) {
          assertTrue(rs.next());
          assertEquals(i * 2, rs.getInt(1));
          assertEquals("V" + i, rs.getString(2));
        }
      }
      ps.setNull(1, java.sql.Types.INTEGER);
      ps.setNull(2, java.sql.Types.VARCHAR);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next());
        assertEquals(0, rs.getInt(1));
        assertTrue(rs.wasNull());
        assertEquals(null, rs.getString(2));
      }
    }
  }

  /** Captures pgJDBC's protocol trace (FINEST on org.postgresql) while a block runs. */
  static final class ProtocolTrace extends Handler implements AutoCloseable {
    final Logger logger = Logger.getLogger("org.postgresql");
    final Level previous = logger.getLevel();
    final List<String> lines = new CopyOnWriteArrayList<>();

    ProtocolTrace() {
      setLevel(Level.ALL);
      logger.setLevel(Level.FINEST);
      logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
      String msg = r.getMessage();
      if (msg == null) return;
      Object[] p = r.getParameters();
      if (p != null) {
        try {
          msg = java.text.MessageFormat.format(msg, p);
        } catch (IllegalArgumentException e) {
          // keep the raw pattern
        }
      }
      lines.add(msg);
    }

    long count(String needle) {
      return lines.stream().filter(l -> l.contains(needle)).count();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      logger.removeHandler(this);
      logger.setLevel(previous);
    }
  }

  @Test
  void fetchSizePagesThroughAllOrders() throws SQLException {
    String sql = ON_POSTGRES
        ? "select g::int8 as o_orderkey, (g * 1.5)::numeric(15,2) as o_totalprice from generate_series(1, 15000) g"
        : "select o_orderkey, o_totalprice from tpch.tiny.orders";
    try (Connection c = connect(""); ProtocolTrace trace = new ProtocolTrace()) {
      c.setAutoCommit(false);
      int rows = 0;
      Set<Long> keys = new HashSet<>();
      try (Statement st = c.createStatement()) {
        st.setFetchSize(100);
        try (ResultSet rs = st.executeQuery(sql)) {
          while (rs.next()) {
            rows++;
            keys.add(rs.getLong(1));
            assertTrue(rs.getBigDecimal(2).signum() > 0);
          }
        }
      }
      c.commit();
      assertEquals(15000, rows, "rows");
      assertEquals(15000, keys.size(), "distinct keys");
      long limited = trace.count("limit=100");
      long suspended = trace.count("PortalSuspended");
      assertTrue(limited >= 150, "expected >= 150 Execute(limit=100), saw " + limited);
      assertTrue(suspended >= 149, "expected >= 149 PortalSuspended, saw " + suspended);
    }
  }

  @Test
  void cancelFromAnotherThreadGives57014() throws Exception {
    String sql = ON_POSTGRES
        ? "select pg_sleep(10)"
        // ~7 s on the gateway (30M joined rows, nothing to push down); the cancel comes after 1 s.
        // (l_orderkey = n_nationkey over sf1 answers in 0.5 s: the key range is pushed into tpch)
        : "select count(*) from tpch.sf1.lineitem l, tpch.tiny.region r where l.l_comment <> r.r_comment";
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try (Connection c = connect(""); Statement st = c.createStatement()) {
      long start = System.nanoTime();
      timer.schedule(() -> {
        try {
          st.cancel();
        } catch (SQLException e) {
          throw new RuntimeException(e);
        }
        return null;
      }, 1, TimeUnit.SECONDS);
      SQLException e = assertThrows(SQLException.class, () -> st.executeQuery(sql),
          "query should have been cancelled (it finished first?)");
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertEquals("57014", e.getSQLState(), "SQLSTATE of: " + e.getMessage());
      assertTrue(ms < 30_000, "cancel took " + ms + " ms");
      // the connection is still usable afterwards
      try (ResultSet rs = st.executeQuery("select 1")) {
        assertTrue(rs.next());
        assertEquals(1, rs.getInt(1));
      }
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void metadataReportsPostgres15() throws SQLException {
    try (Connection c = connect("")) {
      DatabaseMetaData md = c.getMetaData();
      assertEquals("PostgreSQL", md.getDatabaseProductName());
      String v = md.getDatabaseProductVersion();
      assertTrue(v.startsWith("15."), "getDatabaseProductVersion() = " + v);
      assertEquals(15, md.getDatabaseMajorVersion());
    }
  }

  @Test
  void errorsCarrySqlState() throws SQLException {
    try (Connection c = connect(""); Statement st = c.createStatement()) {
      SQLException e = assertThrows(SQLException.class, () -> st.executeQuery("select 1/0"));
      assertEquals("22012", e.getSQLState());
      e = assertThrows(SQLException.class, () -> st.executeQuery("select * from no_such_table_lakegate"));
      assertEquals("42P01", e.getSQLState());
      try (ResultSet rs = st.executeQuery("select 2")) {
        assertTrue(rs.next());
        assertEquals(2, rs.getInt(1));
      }
    }
  }

  @Test
  void headlineCount() throws SQLException {
    String sql = ON_POSTGRES
        ? "select count(*) from generate_series(1, 60175)"
        : "select count(*) from tpch.tiny.lineitem";
    try (Connection c = connect(""); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertTrue(rs.next());
      assertEquals(60175L, rs.getLong(1));
    }
  }
}
