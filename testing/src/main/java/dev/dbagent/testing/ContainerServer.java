package dev.dbagent.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** PostgreSQL in a Testcontainers container; only when asked for and a Docker engine answers. */
final class ContainerServer implements PostgresServer {
    private final PostgreSQLContainer container;

    private ContainerServer(PostgreSQLContainer container) {
        this.container = container;
    }

    /** @return true if a Docker engine answers */
    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    static ContainerServer start(String image) {
        PostgreSQLContainer c = new PostgreSQLContainer(image);
        c.start();
        return new ContainerServer(c);
    }

    @Override public String host() { return container.getHost(); }
    @Override public int port() { return container.getMappedPort(5432); }
    @Override public String user() { return container.getUsername(); }
    @Override public String password() { return container.getPassword(); }
    @Override public String maintenanceDatabase() { return container.getDatabaseName(); }
    @Override public boolean canRestart() { return false; }

    @Override
    public void stop() {
        throw new UnsupportedOperationException("a Testcontainers server is not restarted by tests");
    }

    @Override
    public void start() {
        throw new UnsupportedOperationException("a Testcontainers server is not restarted by tests");
    }

    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String toString() {
        return "Testcontainers PostgreSQL " + container.getDockerImageName();
    }
}
