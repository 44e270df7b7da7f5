package dev.dbagent.bench;

import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.DatabaseConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.testing.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** The benchmarks' database: an embedded server with a 10,000-row table, production pool defaults. */
final class BenchDb {
    private BenchDb() {}

    static EmbeddedPostgres start() {
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)");
            s.execute("INSERT INTO items SELECT g, 'item-' || g FROM generate_series(1, 10000) g");
            s.execute("ANALYZE items");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return pg;
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
}
