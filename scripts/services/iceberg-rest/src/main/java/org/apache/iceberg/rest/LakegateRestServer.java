// In Iceberg's package: the adapter's handleRequest takes the package-private Route.
package org.apache.iceberg.rest;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.rest.responses.ConfigResponse;
import org.apache.iceberg.rest.responses.LoadTableResponse;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.gzip.GzipHandler;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

/**
 * An Iceberg REST catalog server for tests: Apache Iceberg's reference implementation of the REST
 * protocol ({@link RESTCatalogAdapter} + {@link RESTCatalogServlet}, the code behind Iceberg's own
 * REST fixture) over a backend catalog built from properties, served by Jetty on one address.
 *
 * <p>Catalog properties come from environment variables named CATALOG_*, as in Iceberg's fixture:
 * the prefix is dropped, "__" becomes "-", "_" becomes "." and the name is lower-cased
 * (CATALOG_S3_PATH__STYLE__ACCESS=true is s3.path-style-access=true). Unset, the backend is a
 * JdbcCatalog on an in-memory SQLite database.
 *
 * <p>Storage settings (properties starting with "s3." and client.region) are handed to clients:
 * as defaults in GET /v1/config and in the config of every table load/create response, so a client
 * that knows only the catalog URI can read and write the table files.
 *
 * <p>Listens on ICEBERG_REST_HOST (127.0.0.1) : ICEBERG_REST_PORT (8181).
 */
public final class LakegateRestServer {
  private LakegateRestServer() {}

  static Map<String, String> catalogPropertiesFromEnvironment() {
    Map<String, String> props = new HashMap<>();
    System.getenv()
        .forEach(
            (key, value) -> {
              if (key.startsWith("CATALOG_")) {
                String name =
                    key.substring("CATALOG_".length())
                        .replace("__", "-")
                        .replace('_', '.')
                        .toLowerCase(Locale.ROOT);
                props.put(name, value);
              }
            });
    return props;
  }

  static Map<String, String> storageProperties(Map<String, String> catalogProps) {
    Map<String, String> storage = new HashMap<>();
    catalogProps.forEach(
        (key, value) -> {
          if (key.startsWith("s3.") || key.equals("client.region")) {
            storage.put(key, value);
          }
        });
    return storage;
  }

  /** The reference adapter, plus the storage settings in the responses clients configure from. */
  static final class Adapter extends RESTCatalogAdapter {
    private final Map<String, String> storage;

    Adapter(Catalog catalog, Map<String, String> storage) {
      super(catalog);
      this.storage = storage;
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T extends RESTResponse> T handleRequest(
        Route route,
        Map<String, String> vars,
        HTTPRequest httpRequest,
        Class<T> responseType,
        Consumer<Map<String, String>> responseHeaders) {
      T response = super.handleRequest(route, vars, httpRequest, responseType, responseHeaders);
      if (response instanceof ConfigResponse config) {
        Map<String, String> defaults = new HashMap<>(storage);
        defaults.putAll(config.defaults());
        ConfigResponse.Builder builder =
            ConfigResponse.builder().withDefaults(defaults).withOverrides(config.overrides());
        if (config.endpoints() != null) {
          builder.withEndpoints(config.endpoints());
        }
        return (T) builder.build();
      }
      if (response instanceof LoadTableResponse load) {
        return (T)
            LoadTableResponse.builder()
                .withTableMetadata(load.tableMetadata())
                .addAllConfig(storage)
                .addAllConfig(load.config())
                .addAllCredentials(load.credentials())
                .build();
      }
      return response;
    }
  }

  public static void main(String[] args) throws Exception {
    String host = System.getenv().getOrDefault("ICEBERG_REST_HOST", "127.0.0.1");
    int port = Integer.parseInt(System.getenv().getOrDefault("ICEBERG_REST_PORT", "8181"));

    Map<String, String> props = catalogPropertiesFromEnvironment();
    props.putIfAbsent(CatalogProperties.CATALOG_IMPL, JdbcCatalog.class.getName());
    props.putIfAbsent(CatalogProperties.URI, "jdbc:sqlite::memory:");
    props.putIfAbsent("jdbc.schema-version", "V1");
    if (!props.containsKey(CatalogProperties.WAREHOUSE_LOCATION)) {
      throw new IllegalArgumentException("set CATALOG_WAREHOUSE (the warehouse location)");
    }
    String name = props.getOrDefault("catalog-name", "lakegate");
    Catalog catalog = CatalogUtil.buildIcebergCatalog(name, props, null);

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.addServlet(
        new ServletHolder(new RESTCatalogServlet(new Adapter(catalog, storageProperties(props)))),
        "/*");
    context.insertHandler(new GzipHandler());
    server.setHandler(context);
    server.setStopAtShutdown(true);
    server.start();
    System.err.printf(
        "iceberg-rest: listening on http://%s:%d (catalog %s, warehouse %s)%n",
        host, port, props.get(CatalogProperties.CATALOG_IMPL), props.get("warehouse"));
    server.join();
  }
}
