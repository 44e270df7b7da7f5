package dev.dbagent.ops;

import dev.dbagent.config.JdbcUrls;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;

/**
 * Where the primary is and how to log in. Opens plain, unpooled connections: operations must not
 * take connections from the application's pool, and the migration lock needs a connection of its
 * own. The password never appears in {@link #toString()}.
 */
final class Coordinates {
    private final String url;
    private final String user;
    private final String password;
    private final String database;

    Coordinates(String url, String user, String password) {
        this.url = Objects.requireNonNull(url, "jdbcUrl");
        this.user = Objects.requireNonNull(user, "user");
        this.password = password;
        this.database = databaseOf(url);
    }

    /** The path part of {@code jdbc:postgresql://host:port/db?params}. */
    static String databaseOf(String url) {
        if (!url.startsWith(JdbcUrls.POSTGRES_PREFIX)) {
            throw new IllegalArgumentException("jdbcUrl must start with jdbc:postgresql://, but was " + JdbcUrls.mask(url));
        }
        String rest = url.substring(JdbcUrls.POSTGRES_PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("jdbcUrl names no database: " + JdbcUrls.mask(url));
        }
        String db = rest.substring(slash + 1);
        int q = db.indexOf('?');
        db = q < 0 ? db : db.substring(0, q);
        if (db.isEmpty()) {
            throw new IllegalArgumentException("jdbcUrl names no database: " + JdbcUrls.mask(url));
        }
        return db;
    }


    String database() { return database; }

    /** The same server's maintenance database {@code postgres}, used to create the database. */
    String maintenanceUrl() {
        String prefix = url.substring(0, url.indexOf('/', JdbcUrls.POSTGRES_PREFIX.length()) + 1);
        int q = url.indexOf('?');
        return prefix + "postgres" + (q < 0 ? "" : url.substring(q));
    }

    Connection open(String applicationName) throws SQLException {
        return open(url, applicationName, false);
    }

    /**
     * A connection on the simple query protocol, where {@code $n} in a statement's text is left
     * to the server (EXPLAIN (GENERIC_PLAN) needs that) instead of being bound by the driver.
     */
    Connection openSimpleProtocol(String applicationName) throws SQLException {
        return open(url, applicationName, true);
    }

    Connection openMaintenance() throws SQLException {
        return open(maintenanceUrl(), "dbagent-ops", false);
    }

    private Connection open(String jdbcUrl, String applicationName, boolean simple) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", applicationName);
        p.setProperty("connectTimeout", "10");
        if (simple) {
            p.setProperty("preferQueryMode", "simple");
        }
        return DriverManager.getConnection(jdbcUrl, p);
    }

    @Override
    public String toString() {
        return JdbcUrls.mask(url) + " as " + user;
    }
}
