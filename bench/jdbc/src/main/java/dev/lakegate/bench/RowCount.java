package dev.lakegate.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Runs one query with pgJDBC and counts the rows, reading every value with getObject:
 *   java dev.lakegate.bench.RowCount URL USER SEARCH_PATH FETCH_SIZE REPEAT SQL
 * Prints one line per repetition: "rows=N ms=T" (query execution and reading every row;
 * the JVM start and the connection are not included). Cursor fetching (setFetchSize) needs
 * autocommit off, as pgJDBC documents.
 */
public final class RowCount {
  public static void main(String[] args) throws Exception {
    String url = args[0], user = args[1], searchPath = args[2], sql = args[5];
    int fetchSize = Integer.parseInt(args[3]);
    int repeat = Integer.parseInt(args[4]);
    try (Connection c = DriverManager.getConnection(url, user, "")) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SET search_path = " + searchPath);
      }
      for (int k = 0; k < repeat; k++) {
        long t0 = System.nanoTime();
        long rows = 0;
        try (Statement s = c.createStatement()) {
          s.setFetchSize(fetchSize);
          try (ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
              for (int i = 1; i <= n; i++) rs.getObject(i);
              rows++;
            }
          }
        }
        c.commit();
        System.out.println("rows=" + rows + " ms=" + (System.nanoTime() - t0) / 1e6);
      }
    }
  }
}
