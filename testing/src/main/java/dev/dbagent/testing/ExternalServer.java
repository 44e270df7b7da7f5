package dev.dbagent.testing;

import java.net.URI;

/** A server someone else runs, named by {@code DBAGENT_TEST_JDBC_URL} (+ _USER, _PASSWORD). */
final class ExternalServer implements PostgresServer {
    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;

    ExternalServer(String jdbcUrl, String user, String password) {
        if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("DBAGENT_TEST_JDBC_URL must start with jdbc:postgresql://, but was "
                    + jdbcUrl.replaceAll("password=[^&]*", "password=****"));
        }
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        this.host = uri.getHost();
        this.port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        this.database = path.isEmpty() ? "postgres" : path;
        this.user = user == null ? "postgres" : user;
        this.password = password == null ? "" : password;
    }

    @Override public String host() { return host; }
    @Override public int port() { return port; }
    @Override public String user() { return user; }
    @Override public String password() { return password; }
    @Override public String maintenanceDatabase() { return database; }
    @Override public boolean canRestart() { return false; }

    @Override
    public void stop() {
        throw new UnsupportedOperationException("an external server (DBAGENT_TEST_JDBC_URL) cannot be stopped by tests");
    }

    @Override
    public void start() {
        throw new UnsupportedOperationException("an external server (DBAGENT_TEST_JDBC_URL) cannot be started by tests");
    }

    @Override
    public void close() {
        // not ours to stop
    }

    @Override
    public String toString() {
        return "external PostgreSQL " + host + ":" + port;
    }
}
