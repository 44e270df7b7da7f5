package dev.dbagent.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.DatabaseAgent;
import dev.dbagent.OutcomeUnknownException;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.health.CheckResult;
import dev.dbagent.health.HealthStatus;
import dev.dbagent.service.DatabaseService;
import dev.dbagent.testing.Closer;
import dev.dbagent.testing.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.management.MBeanServerFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13.4: a durable primary and a real streaming replica; the agent writes through a
 * multi-host URL with {@code targetServerType=primary}; the primary goes away and the replica is
 * promoted with {@code pg_promote()}. Writers keep writing distinct ids; every id a writer saw
 * acknowledged must be on the new primary, once.
 *
 * <p>What makes "lost = 0" true differs by how the primary goes: a fast shutdown sends all WAL to
 * connected standbys before it exits, so asynchronous replication loses nothing; a SIGKILL sends
 * nothing more, so only a synchronous standby ({@code synchronous_standby_names},
 * {@code synchronous_commit=remote_apply}: COMMIT is acknowledged once the standby applied it)
 * guarantees it.
 */
class FailoverTest {
    private static final int WRITERS = 4;
    @RegisterExtension
    final Closer closer = new Closer();

    @Test
    void writesReachThePromotedReplicaAfterAFastShutdownAndNoAcknowledgedWriteIsLost() throws Exception {
        Run run = failover(false, old -> old.stop());
        assertThat(run.lost).as("acknowledged ids missing on the new primary").isEmpty();
        assertThat(run.duplicated).as("ids written twice").isEmpty();
        assertThat(run.ackedAfter).as("writes acknowledged by the new primary").isPositive();
    }

    @Test
    void writesReachThePromotedReplicaAfterTheSynchronousPrimaryIsKilledAndNoAcknowledgedWriteIsLost()
            throws Exception {
        Run run = failover(true, EmbeddedPostgres::kill);
        assertThat(run.lost).as("acknowledged ids missing on the new primary").isEmpty();
        assertThat(run.duplicated).as("ids written twice").isEmpty();
        assertThat(run.ackedAfter).as("writes acknowledged by the new primary").isPositive();
    }

    /** What one failover run saw. */
    private record Run(Set<Long> lost, Set<Long> duplicated, long ackedBefore, long ackedAfter) {}

    private Run failover(boolean synchronous, Consumer<EmbeddedPostgres> takeDown) throws Exception {
        EmbeddedPostgres primary = closer.add(EmbeddedPostgres.builder().durable(true).start());
        try (Connection c = primary.connect("postgres"); Statement s = c.createStatement()) {
            // no key: a write repeated by a retry would show up as a duplicate
            s.execute("CREATE TABLE acks (id bigint NOT NULL, writer int NOT NULL)");
        }
        EmbeddedPostgres replica = closer.add(primary.startReplica("replica1"));
        if (synchronous) {
            try (Connection c = primary.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("ALTER SYSTEM SET synchronous_standby_names = 'replica1'");
                s.execute("ALTER SYSTEM SET synchronous_commit = 'remote_apply'");
                s.execute("SELECT pg_reload_conf()");
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> syncState(primary).equals("sync"));
        }
        String url = "jdbc:postgresql://127.0.0.1:" + primary.port() + ",127.0.0.1:" + replica.port()
                + "/postgres?targetServerType=primary";
        AgentConfig config = AgentConfig.builder().name("failover").environment(Environment.TEST)
                .database("main", d -> d.url(url).user(primary.user()).password(Secret.of(primary.password()))
                        .replica(replica.jdbcUrl("postgres"))
                        .set("pool.maxTotal", 8))
                .build();
        DatabaseAgent agent = closer.add(DatabaseAgent.builder(config).mbeanServer(MBeanServerFactory.newMBeanServer())
                .start());
        DatabaseService service = agent.service("main");

        Map<Long, Integer> acked = new ConcurrentHashMap<>();
        AtomicLong nextId = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong firstAckOnNewPrimary = new AtomicLong(Long.MAX_VALUE);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Set<Long> uncertain = ConcurrentHashMap.newKeySet();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    long id = nextId.incrementAndGet();
                    try {
                        int port = service.write(h -> {
                            h.execute("INSERT INTO acks VALUES (?, ?)", id, writer);
                            return h.createQuery("SELECT inet_server_port()").mapTo(Integer.class).one();
                        });
                        acked.put(id, port);
                        if (port == replica.port()) {
                            firstAckOnNewPrimary.compareAndSet(Long.MAX_VALUE, System.nanoTime());
                        }
                    } catch (OutcomeUnknownException e) {
                        uncertain.add(id); // not acknowledged: the caller was told to check
                        failures.add(e.getClass().getSimpleName());
                    } catch (RuntimeException e) {
                        failures.add(e.getClass().getSimpleName());
                        // an open breaker fails at once; a caller that backs off a little keeps the box usable
                        java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
                    }
                }
            }, "writer-" + w);
            t.setDaemon(true);
            writers.add(t);
        }
        writers.forEach(Thread::start);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 200);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(replicaCheck(agent))
                .matches("replica-0=\\d+ ms"));

        long down = System.nanoTime();
        takeDown.accept(primary);
        long ackedBefore = acked.size();
        try (Connection c = replica.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_promote(true, 60)")) {
            assertThat(rs.next() && rs.getBoolean(1)).as("promoted").isTrue();
        }
        long promoted = System.nanoTime();
        Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> firstAckOnNewPrimary.get() != Long.MAX_VALUE);
        long firstAck = firstAckOnNewPrimary.get();
        long atFirstAck = acked.size();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= atFirstAck + 200);
        // the promoted server is no replica of anything any more: reads leave it
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(replicaCheck(agent))
                .isEqualTo("replica-0=promoted"));
        stop.set(true);
        for (Thread t : writers) {
            t.join(60_000);
        }

        Map<Long, Integer> onNewPrimary = new java.util.HashMap<>();
        try (Connection c = replica.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, count(*) FROM acks GROUP BY id")) {
            while (rs.next()) {
                onNewPrimary.put(rs.getLong(1), rs.getInt(2));
            }
        }
        Set<Long> lost = new HashSet<>(acked.keySet());
        lost.removeAll(onNewPrimary.keySet());
        Set<Long> duplicated = new HashSet<>();
        onNewPrimary.forEach((id, n) -> {
            if (n > 1) {
                duplicated.add(id);
            }
        });
        long ackedAfter = acked.values().stream().filter(p -> p == replica.port()).count();
        Map<String, Long> failureCounts = new java.util.TreeMap<>();
        failures.forEach(f -> failureCounts.merge(f, 1L, Long::sum));
        CheckResult lag = agent.health().runNow().checks().get("main.replicaLag");
        System.out.printf("FAILOVER %s: primary %s -> first write acknowledged by the promoted replica after %d ms"
                        + " (pg_promote() returned after %d ms); acknowledged %d before, %d on the new primary,"
                        + " %d in all; lost %d, duplicated %d, outcome unknown %d; failed calls %s; replica check: %s%n",
                synchronous ? "synchronous standby" : "asynchronous standby",
                synchronous ? "killed (SIGKILL)" : "stopped (fast shutdown)",
                (firstAck - down) / 1_000_000, (promoted - down) / 1_000_000, ackedBefore, ackedAfter, acked.size(),
                lost.size(), duplicated.size(), uncertain.size(), failureCounts, lag.message());
        assertThat(lag.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(lag.issues()).singleElement().satisfies(i -> assertThat(i.message())
                .isEqualTo("main replica-0: promoted (not in recovery): no longer a replica of this primary;"
                        + " reads go elsewhere"));
        return new Run(lost, duplicated, ackedBefore, ackedAfter);
    }

    private static String syncState(EmbeddedPostgres primary) throws SQLException {
        try (Connection c = primary.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(max(sync_state), '') FROM pg_stat_replication"
                     + " WHERE application_name = 'replica1'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The replica check's summary: {@code replica-0=<lag> ms} while it is used, else why not. */
    private static String replicaCheck(DatabaseAgent agent) {
        return agent.health().runNow().checks().get("main.replicaLag").message();
    }
}
