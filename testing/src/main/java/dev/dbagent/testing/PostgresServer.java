package dev.dbagent.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The PostgreSQL server a test run uses: embedded (default), external ({@code DBAGENT_TEST_JDBC_URL})
 * or a Testcontainers container ({@code -Ddbagent.test.postgres=testcontainers}).
 */
public interface PostgresServer extends AutoCloseable {

    /** @return host to connect to */
    String host();

    /** @return port to connect to */
    int port();

    /** @return a superuser (or a user allowed to create databases) */
    String user();

    /** @return its password */
    String password();

    /** @return the database to connect to for maintenance (CREATE DATABASE) */
    default String maintenanceDatabase() {
        return "postgres";
    }

    /**
     * @param database database name
     * @return a JDBC URL without credentials
     */
    default String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    /** @return true if {@link #stop()} and {@link #start()} are supported (embedded only) */
    boolean canRestart();

    /** Stops the server, keeping its data. */
    void stop();

    /** Starts a stopped server again. */
    void start();

    /**
     * @param database database name
     * @return a new superuser connection
     * @throws SQLException if the server cannot be reached
     */
    default Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user());
        p.setProperty("password", password());
        p.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(jdbcUrl(database), p);
    }

    /**
     * Creates a database.
     *
     * @param name a plain identifier
     */
    default void createDatabase(String name) {
        try (Connection c = connect(maintenanceDatabase()); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Drops a database, terminating its sessions first.
     *
     * @param name a plain identifier
     */
    default void dropDatabase(String name) {
        try (Connection c = connect(maintenanceDatabase()); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop database " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    void close();
}
