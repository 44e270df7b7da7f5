package dev.dbagent.testing;

import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.ds.PGSimpleDataSource;

/** A fresh database for one test class, on the run's shared {@link PostgresServer}. */
public final class TestDatabase {
    private final PostgresServer server;
    private final String name;

    TestDatabase(PostgresServer server, String name) {
        this.server = server;
        this.name = name;
    }

    /** @return the database name */
    public String name() { return name; }

    /** @return a JDBC URL without credentials */
    public String jdbcUrl() { return server.jdbcUrl(name); }

    /** @return a superuser */
    public String user() { return server.user(); }

    /** @return its password */
    public String password() { return server.password(); }

    /** @return the server this database lives on */
    public PostgresServer server() { return server; }

    /** @return an unpooled data source for this database */
    public DataSource dataSource() {
        return dataSource(null);
    }

    /**
     * @param currentSchema the schema search path of its connections, or null for the default
     * @return an unpooled data source for this database
     */
    public DataSource dataSource(String currentSchema) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {server.host()});
        ds.setPortNumbers(new int[] {server.port()});
        ds.setDatabaseName(name);
        ds.setUser(server.user());
        ds.setPassword(server.password());
        ds.setConnectTimeout(10);
        if (currentSchema != null) {
            ds.setCurrentSchema(currentSchema);
        }
        return ds;
    }

    /** @return a Jdbi over {@link #dataSource()} with plugins installed */
    public Jdbi jdbi() {
        return Jdbi.create(dataSource()).installPlugins();
    }

    /**
     * @param currentSchema the schema search path
     * @return a Jdbi over {@link #dataSource(String)} with plugins installed
     */
    public Jdbi jdbi(String currentSchema) {
        return Jdbi.create(dataSource(currentSchema)).installPlugins();
    }

    @Override
    public String toString() {
        return "TestDatabase[" + name + " on " + server + "]";
    }
}
