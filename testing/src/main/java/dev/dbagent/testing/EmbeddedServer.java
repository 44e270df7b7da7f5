package dev.dbagent.testing;


/** The default: zonky's binaries started by {@link EmbeddedPostgres}, also as root. */
final class EmbeddedServer implements PostgresServer {
    private final EmbeddedPostgres pg;

    EmbeddedServer(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    EmbeddedPostgres embedded() {
        return pg;
    }

    @Override public String host() { return pg.host(); }
    @Override public int port() { return pg.port(); }
    @Override public String user() { return pg.user(); }
    @Override public String password() { return pg.password(); }
    @Override public boolean canRestart() { return true; }
    @Override public void stop() { pg.stop(); }
    @Override public void start() { pg.start(); }
    @Override public void close() { pg.close(); }

    @Override
    public String toString() {
        return pg.toString();
    }
}
