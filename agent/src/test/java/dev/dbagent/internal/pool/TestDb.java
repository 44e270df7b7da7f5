package dev.dbagent.internal.pool;

import dev.dbagent.config.BreakerSettings;
import dev.dbagent.config.ConnectionSettings;
import dev.dbagent.config.DatabaseConfig;
import dev.dbagent.config.MigrateSettings;
import dev.dbagent.config.PoolSettings;
import dev.dbagent.config.ReplicaBalance;
import dev.dbagent.config.ReplicaConfig;
import dev.dbagent.config.ReplicaSettings;
import dev.dbagent.config.RetrySettings;
import dev.dbagent.config.Secret;
import dev.dbagent.config.SslMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Database configs for pool tests: small pools, short timeouts, tunable per test. */
final class TestDb {
    String name = "main";
    String url;
    String user;
    String password;
    final List<String> replicaUrls = new ArrayList<>();
    int maxTotal = 4;
    int minIdle = 0;
    Duration maxWait = Duration.ofSeconds(3); // also bounds opening a new connection, slow on a busy machine
    Duration evictionRuns = Duration.ofMinutes(1);
    Duration socketTimeout = Duration.ofSeconds(30);
    Duration connectTimeout = Duration.ofSeconds(2);
    boolean logAbandoned = true;
    int breakerMinimumCalls = 3;
    int breakerWindow = 5;
    Duration breakerWaitOpen = Duration.ofSeconds(30);
    Duration maxLag = Duration.ofMillis(500);
    Duration readYourWrites = Duration.ZERO;
    ReplicaBalance balance = ReplicaBalance.ROUND_ROBIN;
    int maxAttemptsOverride = 3;

    TestDb(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    DatabaseConfig build() {
        List<ReplicaConfig> replicas = new ArrayList<>();
        for (int i = 0; i < replicaUrls.size(); i++) {
            replicas.add(new ReplicaConfig(i + 1, replicaUrls.get(i), Optional.empty(), Optional.empty()));
        }
        BreakerSettings breaker = new BreakerSettings(50, breakerMinimumCalls, breakerWindow, breakerWaitOpen, 1,
                Duration.ofSeconds(60));
        return new DatabaseConfig(name, url, Optional.of(user), Optional.of(Secret.of(password)), replicas,
                new PoolSettings(maxTotal, minIdle, maxWait, Duration.ofSeconds(2), evictionRuns,
                        Duration.ofMinutes(10), Duration.ZERO, 256, Duration.ZERO, logAbandoned),
                new ConnectionSettings(connectTimeout, socketTimeout, Duration.ofSeconds(5), true, SslMode.DISABLE,
                        "public"),
                new ReplicaSettings(maxLag, readYourWrites, balance),
                breaker, breaker,
                new RetrySettings(maxAttemptsOverride, Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(2)),
                Duration.ofMillis(500), 100,
                new MigrateSettings(Optional.empty(), List.of(), false, Duration.ofMinutes(5), List.of()));
    }

    /** @return the server process id of a connection's session */
    static int backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
