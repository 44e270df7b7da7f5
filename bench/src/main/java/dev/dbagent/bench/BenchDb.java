package dev.dbagent.bench;

import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.DatabaseConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.testing.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The benchmarks' database: pgbench's schema at scale 1 (100,000 rows in
 * {@code pgbench_accounts}), so that pgbench -S and the JMH variants run the same point select
 * against the same rows.
 *
 * <p>When the system properties {@code dbagent.bench.port}, {@code dbagent.bench.user} and
 * {@code dbagent.bench.passwordFile} are set (as {@link Table} does for every fork it starts), the
 * benchmarks use that already prepared server; otherwise each fork starts its own embedded one.
 */
final class BenchDb implements AutoCloseable {
    static final String DATABASE = "postgres";
    /** pgbench -S's statement, by primary key. */
    static final String SELECT = "SELECT abalance FROM pgbench_accounts WHERE aid = ?";
    /** A single-row write: pgbench's history insert. */
    static final String INSERT = "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (?, 1, ?, ?, now())";
    static final int ROWS = 100_000;

    private final EmbeddedPostgres owned;
    final String host;
    final int port;
    final String user;
    final String password;

    private BenchDb(EmbeddedPostgres owned, String host, int port, String user, String password) {
        this.owned = owned;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    /** @return the server named by the system properties, or a new embedded one with the data loaded */
    static BenchDb open() {
        String port = System.getProperty("dbagent.bench.port");
        if (port != null) {
            try {
                // the password comes in a file, never on the fork's command line
                String password = java.nio.file.Files.readString(
                        java.nio.file.Path.of(System.getProperty("dbagent.bench.passwordFile"))).trim();
                return new BenchDb(null, "127.0.0.1", Integer.parseInt(port), System.getProperty("dbagent.bench.user"),
                        password);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot read dbagent.bench.passwordFile", e);
            }
        }
        BenchDb db = startEmbedded();
        db.load();
        return db;
    }

    /** @return a new embedded server, empty */
    static BenchDb startEmbedded() {
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        return new BenchDb(pg, pg.host(), pg.port(), pg.user(), pg.password());
    }

    String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + DATABASE;
    }

    Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return DriverManager.getConnection(jdbcUrl(), p);
    }

    /** Creates pgbench's tables as {@code pgbench -i -s 1} does, without needing the binary. */
    void load() {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS pgbench_accounts, pgbench_branches, pgbench_tellers, pgbench_history");
            s.execute("CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int, filler char(88))");
            s.execute("CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int, tbalance int, filler char(84))");
            s.execute("CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))");
            s.execute("CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp,"
                    + " filler char(22))");
            s.execute("INSERT INTO pgbench_branches VALUES (1, 0, NULL)");
            s.execute("INSERT INTO pgbench_tellers SELECT g, 1, 0, NULL FROM generate_series(1, 10) g");
            s.execute("INSERT INTO pgbench_accounts SELECT g, 1, 0, '' FROM generate_series(1, " + ROWS + ") g");
            s.execute("VACUUM ANALYZE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot load the benchmark data", e);
        }
    }

    /** @return the agent's configuration for this server: production defaults, a pool of {@code poolSize} */
    DatabaseConfig config(int poolSize) {
        return config(jdbcUrl(), user, password, poolSize);
    }

    static DatabaseConfig config(String url, String user, String password, int poolSize) {
        AgentConfig cfg = AgentConfig.builder()
                .name("bench")
                .environment(Environment.PRODUCTION)
                .database("main", db -> db.url(url).user(user).password(Secret.of(password))
                        .maxTotal(poolSize).minIdle(poolSize)
                        .set("currentSchema", "public").set("sslmode", "disable"))
                .build();
        return cfg.databases().get(0);
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.close();
        }
    }
}
