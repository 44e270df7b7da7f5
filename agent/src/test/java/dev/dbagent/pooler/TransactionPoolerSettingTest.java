package dev.dbagent.pooler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbagent.DatabaseAgent;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.service.DatabaseService;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.util.Map;
import java.util.function.Consumer;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code pooler=transaction} against the server itself, so it runs where pgbouncer is not
 * installed: what a session of the agent leaves on the server between transactions. The pool
 * has one connection, so every call below uses the same session.
 */
@ExtendWith(PostgresExtension.class)
class TransactionPoolerSettingTest {

    private static DatabaseAgent agent(TestDatabase db, Consumer<AgentConfig.DatabaseBuilder> spec) {
        AgentConfig config = AgentConfig.builder().name("tx").environment(Environment.TEST)
                .database("main", d -> {
                    // "localhost" for the pools, 127.0.0.1 for operations: two URLs of one server
                    d.url(db.jdbcUrl().replace("127.0.0.1", "localhost")).user(db.user())
                            .password(Secret.of(db.password())).maxTotal(1).set("pool.statementCacheSize", 50);
                    spec.accept(d);
                })
                .build();
        return DatabaseAgent.builder(config).mbeanServer(MBeanServerFactory.newMBeanServer()).start();
    }

    private static Map<String, Object> sessionAfterReads(DatabaseService service) {
        for (int i = 0; i < 10; i++) {
            int id = i;
            service.read(h -> h.createQuery("SELECT :id + 1").bind("id", id).mapTo(Integer.class).one());
        }
        return service.read(h -> h.createQuery("SELECT current_setting('default_transaction_read_only') AS session_ro,"
                + " current_setting('transaction_read_only') AS tx_ro,"
                + " (SELECT count(*) FROM pg_prepared_statements) AS prepared").mapToMap().one());
    }

    @Test
    void withTheSettingReadsAreReadOnlyTransactionsAndNothingIsPrepared(TestDatabase db) {
        try (DatabaseAgent agent = agent(db, d -> d.behindTransactionPooler(db.jdbcUrl()))) {
            DatabaseService service = agent.service("main");
            Map<String, Object> s = sessionAfterReads(service);
            assertThat(s).containsEntry("session_ro", "off").containsEntry("tx_ro", "on").containsEntry("prepared", 0L);
            assertThatThrownBy(() -> service.read(h -> h.execute("CREATE TABLE sneaky (id int)")))
                    .hasStackTraceContaining("cannot execute CREATE TABLE in a read-only transaction");
            boolean absent = service.read(h -> h.createQuery("SELECT to_regclass('sneaky') IS NULL")
                    .mapTo(Boolean.class).one());
            assertThat(absent).as("nothing created").isTrue();
        }
    }

    @Test
    void withoutTheSettingTheSessionItselfIsReadOnlyAndStatementsArePrepared(TestDatabase db) {
        try (DatabaseAgent agent = agent(db, d -> { })) {
            Map<String, Object> s = sessionAfterReads(agent.service("main"));
            assertThat(s).containsEntry("session_ro", "on").containsEntry("tx_ro", "on");
            assertThat((Long) s.get("prepared")).as("server-side prepared statements of the session").isPositive();
        }
    }

    @Test
    void operationsConnectToTheDirectUrl(TestDatabase db) {
        try (DatabaseAgent agent = agent(db, d -> d.behindTransactionPooler(db.jdbcUrl()))) {
            assertThat(agent.operations("main").toString()).contains("Operations[" + db.jdbcUrl() + " as " + db.user())
                    .doesNotContain("localhost");
        }
        try (DatabaseAgent agent = agent(db, d -> { })) {
            assertThat(agent.operations("main").toString()).contains("localhost");
        }
    }
}
