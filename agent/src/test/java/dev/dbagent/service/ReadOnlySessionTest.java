package dev.dbagent.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.internal.pool.ConnectionManager;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.time.Clock;
import java.util.List;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Reads through the real router run in autocommit on a read-only session; one pooled connection
 * is switched between reads and writes, and the server refuses writes in a read.
 */
@ExtendWith(PostgresExtension.class)
class ReadOnlySessionTest {
    private ConnectionManager manager;
    private DatabaseService service;

    @BeforeEach
    void start(TestDatabase db) {
        AgentConfig cfg = AgentConfig.builder().name("ro").environment(Environment.TEST)
                .database("main", d -> d.url(db.jdbcUrl()).user(db.user()).password(Secret.of(db.password()))
                        .maxTotal(1).minIdle(0).set("currentSchema", "public"))
                .build();
        manager = new ConnectionManager(cfg.databases(), Clock.systemUTC(), "ro");
        service = DatabaseService.builder(manager.router("main")).agentName("ro").metrics(new MetricRegistry()).build();
        service.write(h -> h.execute("CREATE TABLE IF NOT EXISTS notes (v int)"));
    }

    @AfterEach
    void stop() {
        service.close();
        manager.close();
    }

    @Test
    void readsRunReadOnlyWithoutATransactionAndWritesSwitchTheSessionBack() {
        service.write(h -> h.execute("INSERT INTO notes VALUES (1)"));
        List<String> seen = service.read(h -> h.createQuery(
                "SELECT current_setting('transaction_read_only') || ',' || (pg_current_xact_id_if_assigned() IS NULL)")
                .mapTo(String.class).list());
        assertThat(seen).containsExactly("on,true");

        assertThatThrownBy(() -> service.read(h -> h.execute("INSERT INTO notes VALUES (2)")))
                .isInstanceOf(UnableToExecuteStatementException.class)
                .hasMessageContaining("cannot execute INSERT in a read-only transaction");

        // the same single pooled connection, now read-only, is switched back for the write
        service.write(h -> h.execute("INSERT INTO notes VALUES (3)"));
        List<Integer> values = service.read(h -> h.createQuery("SELECT v FROM notes ORDER BY v").mapTo(Integer.class).list());
        assertThat(values).containsExactly(1, 3);
        assertThat(service.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void readOnlyTransactionsStillRunInATransaction() {
        String inTx = service.transaction(TxOptions.DEFAULT.withReadOnly(true), h -> h.createQuery(
                "SELECT current_setting('transaction_read_only') || ',' || (now() = statement_timestamp())")
                .mapTo(String.class).one());
        assertThat(inTx).startsWith("on,");
    }
}
