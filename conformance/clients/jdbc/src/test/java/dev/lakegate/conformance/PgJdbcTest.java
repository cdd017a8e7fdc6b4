package dev.lakegate.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
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

  /** The expected listing shared with the SQLAlchemy and psqlODBC suites. */
  static JsonNode listing() throws IOException {
    return new ObjectMapper().readTree(Path.of("..", "catalog-listing.json").toFile());
  }

  /** A column as the listing writes it: [name, typname with (length) or (precision,scale), nullable]. */
  static List<Object> column(String name, String typeName, int size, int digits, boolean nullable) {
    String type = switch (typeName) {
      case "bpchar", "varchar" -> typeName + "(" + size + ")";
      case "numeric" -> typeName + "(" + size + "," + digits + ")";
      default -> typeName;
    };
    return List.of(name, type, nullable);
  }

  static int drain(ResultSet rs) throws SQLException {
    int n = 0;
    try (rs) {
      int width = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= width; i++) rs.getObject(i);
        n++;
      }
    }
    return n;
  }

  /**
   * On PostgreSQL the listing's tables are created as they are (schemas named "tpch.tiny", … are
   * legal there), so the same walk and comparison run against the real thing.
   */
  static void createListingOnPostgres(Statement st, JsonNode listing, boolean drop) throws SQLException {
    Set<String> schemas = new java.util.LinkedHashSet<>();
    for (JsonNode t : listing.get("tables")) schemas.add(t.get("schema").asText());
    for (String schema : schemas) st.execute("drop schema if exists \"" + schema + "\" cascade");
    if (drop) return;
    for (String schema : schemas) st.execute("create schema \"" + schema + "\"");
    for (JsonNode t : listing.get("tables")) {
      List<String> cols = new ArrayList<>();
      boolean view = t.get("type").asText().equals("VIEW");
      for (JsonNode c : t.get("columns")) {
        cols.add(view
            ? "null::" + c.get(1).asText() + " as \"" + c.get(0).asText() + "\""
            : "\"" + c.get(0).asText() + "\" " + c.get(1).asText() + (c.get(2).asBoolean() ? "" : " not null"));
      }
      String name = "\"" + t.get("schema").asText() + "\".\"" + t.get("table").asText() + "\"";
      st.execute(view ? "create view " + name + " as select " + String.join(", ", cols)
          : "create table " + name + " (" + String.join(", ", cols) + ")");
    }
  }

  /**
   * A BI tool's metadata sync: getCatalogs, getSchemas, then getTables and, per table,
   * getColumns, getPrimaryKeys, getImportedKeys and getIndexInfo over every schema the connection
   * sees; getTypeInfo and getFunctions. Every table of ../catalog-listing.json (tpch.tiny, a memory
   * table and view, a lake table, a table of the remote PostgreSQL catalog pg) must be listed with
   * exactly its columns and types, as information_schema.columns reports them; every other tpch
   * schema has the same 8 tables. Then two catalogs join in one query, named as listed.
   */
  @Test
  void metadataSyncListsEveryCatalogThenJoins() throws Exception {
    JsonNode listing = listing();
    try (Connection c = connect(""); Statement st = c.createStatement()) {
      if (ON_POSTGRES) createListingOnPostgres(st, listing, false);
      else for (JsonNode sql : listing.get("setup")) st.execute(sql.asText());
      try {
        DatabaseMetaData md = c.getMetaData();
        List<String> catalogs = new ArrayList<>();
        try (ResultSet rs = md.getCatalogs()) {
          while (rs.next()) catalogs.add(rs.getString("TABLE_CAT"));
        }
        List<String> wantCatalogs = ON_POSTGRES ? List.of(DB) : List.of("lake", "memory", "pg", "tpch");
        assertTrue(catalogs.containsAll(wantCatalogs), "getCatalogs() = " + catalogs);

        List<String> schemas = new ArrayList<>();
        try (ResultSet rs = md.getSchemas()) {
          while (rs.next()) schemas.add(rs.getString("TABLE_SCHEM"));
        }
        // schema -> table -> [type, columns]
        Map<String, Map<String, List<Object>>> seen = new TreeMap<>();
        for (String schema : schemas) {
          if (schema.equals("information_schema") || schema.startsWith("pg_")) continue;
          Map<String, List<Object>> tables = new TreeMap<>();
          try (ResultSet rs = md.getTables(null, schema, "%", new String[] {"TABLE", "VIEW"})) {
            while (rs.next()) tables.put(rs.getString("TABLE_NAME"), new ArrayList<>(List.of(rs.getString("TABLE_TYPE"))));
          }
          for (Map.Entry<String, List<Object>> t : tables.entrySet()) {
            List<List<Object>> cols = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, schema, t.getKey(), "%")) {
              while (rs.next()) {
                cols.add(column(rs.getString("COLUMN_NAME"), rs.getString("TYPE_NAME"), rs.getInt("COLUMN_SIZE"),
                    rs.getInt("DECIMAL_DIGITS"), rs.getInt("NULLABLE") == DatabaseMetaData.columnNullable));
              }
            }
            t.getValue().add(cols);
            assertEquals(0, drain(md.getPrimaryKeys(null, schema, t.getKey())), "primary key of " + schema + "." + t.getKey());
            assertEquals(0, drain(md.getImportedKeys(null, schema, t.getKey())), "foreign keys of " + schema + "." + t.getKey());
            assertEquals(0, drain(md.getIndexInfo(null, schema, t.getKey(), false, true)), "indexes of " + schema + "." + t.getKey());
          }
          seen.put(schema, tables);
        }

        Map<String, Map<String, List<Object>>> want = new TreeMap<>();
        for (JsonNode t : listing.get("tables")) {
          List<List<Object>> cols = new ArrayList<>();
          for (JsonNode col : t.get("columns")) cols.add(List.of(col.get(0).asText(), col.get(1).asText(), col.get(2).asBoolean()));
          want.computeIfAbsent(t.get("schema").asText(), k -> new TreeMap<>())
              .put(t.get("table").asText(), List.of(t.get("type").asText(), cols));
        }
        for (Map.Entry<String, Map<String, List<Object>>> schema : want.entrySet()) {
          assertEquals(schema.getValue(), seen.get(schema.getKey()), "tables and columns of schema " + schema.getKey());
        }
        if (!ON_POSTGRES) {
          Set<String> tpchTables = want.get("tpch.tiny").keySet();
          List<String> tpchSchemas = seen.keySet().stream().filter(s -> s.startsWith("tpch.")).toList();
          assertTrue(tpchSchemas.size() >= 10, "tpch schemas: " + tpchSchemas);
          for (String schema : tpchSchemas) assertEquals(tpchTables, seen.get(schema).keySet(), schema);
        }

        // the same columns as information_schema reports them
        Map<String, Map<String, List<List<Object>>>> info = new TreeMap<>();
        try (ResultSet rs = st.executeQuery("select table_schema, table_name, column_name, udt_name,"
            + " coalesce(character_maximum_length, numeric_precision, 0), coalesce(numeric_scale, 0), is_nullable"
            + " from information_schema.columns where table_schema in ('tpch.tiny', 'listing', 'lake.listing', 'pg.public')"
            + " order by table_schema, table_name, ordinal_position")) {
          while (rs.next()) {
            info.computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).computeIfAbsent(rs.getString(2), k -> new ArrayList<>())
                .add(column(rs.getString(3), rs.getString(4), rs.getInt(5), rs.getInt(6), rs.getString(7).equals("YES")));
          }
        }
        for (Map.Entry<String, Map<String, List<Object>>> schema : want.entrySet()) {
          Map<String, Object> cols = new LinkedHashMap<>();
          schema.getValue().forEach((table, v) -> cols.put(table, v.get(1)));
          assertEquals(cols, new LinkedHashMap<>(info.get(schema.getKey())), "information_schema.columns of " + schema.getKey());
        }

        assertTrue(drain(md.getTypeInfo()) > 20, "getTypeInfo");
        drain(md.getFunctions(null, "public", "%"));
        assertNotNull(md.getSQLKeywords());

        // two catalogs in one query, named as the listing names them
        List<String> joined = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("select w.\"name\", r.\"r_name\" from \"pg.public\".\"warehouses\" w"
            + " join \"tpch.tiny\".\"nation\" n on n.\"n_nationkey\" = w.\"nation_key\""
            + " join \"lake.listing\".\"regions\" r on r.\"r_regionkey\" = n.\"n_regionkey\" order by w.\"id\"")) {
          while (rs.next()) joined.add(rs.getString(1) + "/" + rs.getString(2).strip());
        }
        // on PostgreSQL the created tables are empty
        assertEquals(ON_POSTGRES ? List.of() : List.of("Rotterdam/AMERICA", "Osaka/ASIA", "Santos/AMERICA"), joined);
      } finally {
        if (ON_POSTGRES) createListingOnPostgres(st, listing, true);
        else for (JsonNode sql : listing.get("teardown")) st.execute(sql.asText());
      }
    }
  }
}
