package dev.dbagent.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.internal.pool.ConnectionManager;
import dev.dbagent.internal.pool.ManagedPool;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.lang.reflect.Field;
import java.time.Clock;
import java.util.Collection;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A thread keeps its Jdbi handle (and the DAOs attached to it) from call to call, while the
 * pooled connection is borrowed per call: the handle works only inside a callback, a failed call
 * never hands its handle on, and a call from inside a callback gets a handle of its own.
 */
@ExtendWith(PostgresExtension.class)
class KeptHandleTest {

    /** A SqlObject DAO. */
    public interface Notes {
        @SqlUpdate("INSERT INTO kept_notes(v) VALUES (:v)")
        int add(@Bind("v") int v);

        @SqlQuery("SELECT count(*) FROM kept_notes")
        int count();
    }

    private ConnectionManager manager;
    private ManagedPool pool;
    private DatabaseService service;

    @BeforeEach
    void start(TestDatabase db) {
        // staging and production defaults: no abandoned tracking, so the pool's lean connections
        AgentConfig cfg = AgentConfig.builder().name("kept").environment(Environment.TEST)
                .database("main", d -> d.url(db.jdbcUrl()).user(db.user()).password(Secret.of(db.password()))
                        .maxTotal(2).minIdle(0).set("currentSchema", "public").set("pool.abandonedTimeoutSeconds", "0"))
                .build();
        manager = new ConnectionManager(cfg.databases(), Clock.systemUTC(), "kept");
        pool = manager.router("main").primary();
        service = DatabaseService.builder(manager.router("main")).agentName("kept").metrics(new MetricRegistry()).build();
        service.write(h -> h.execute("CREATE TABLE IF NOT EXISTS kept_notes(v int)"));
        service.write(h -> h.execute("TRUNCATE kept_notes"));
    }

    @AfterEach
    void stop() {
        service.close();
        manager.close();
    }

    @Test
    void oneThreadReusesOneHandleAndItsDaosWhileConnectionsAreBorrowedPerCall() {
        Handle first = service.read(h -> h);
        Notes firstDao = service.write(Notes.class, d -> {
            d.add(1);
            return d;
        });
        Handle again = service.readOwnWrites(h -> h);
        Notes againDao = service.readOwnWrites(Notes.class, d -> d);
        int count = service.readOwnWrites(Notes.class, Notes::count);

        assertThat(again).isSameAs(first);
        assertThat(againDao).isSameAs(firstDao);
        assertThat(count).isEqualTo(1);
        assertThat(pool.active()).isZero();
    }

    @Test
    void aHandleOrDaoUsedAfterItsCallIsRefusedWithoutTouchingTheDatabase() {
        Handle kept = service.read(h -> h);
        Notes keptDao = service.read(Notes.class, d -> d);

        assertThatThrownBy(() -> kept.createQuery("SELECT 1").mapTo(int.class).one())
                .hasRootCauseMessage("this handle of database '" + service.database()
                        + "' belongs to a finished call: use a handle or DAO only inside its callback");
        assertThatThrownBy(() -> keptDao.add(7)).hasMessageContaining("belongs to a finished call");
        assertThat(service.read(Notes.class, Notes::count)).isZero();
    }

    @Test
    void aFailedCallClosesItsHandleAndTheNextCallGetsAFreshOne() {
        Handle before = service.read(h -> h);

        assertThatThrownBy(() -> service.write(h -> {
            h.execute("INSERT INTO kept_notes(v) VALUES (1)");
            return h.execute("INSERT INTO no_such_table VALUES (1)");
        })).isInstanceOf(UnableToExecuteStatementException.class).hasMessageContaining("no_such_table");
        Handle after = service.read(h -> h);

        assertThat(after).isNotSameAs(before);
        assertThat(service.read(Notes.class, Notes::count)).isZero(); // the failed write was rolled back
        assertThat(pool.active()).isZero();
    }

    @Test
    void aCallFromInsideACallbackGetsItsOwnHandleAndConnection() {
        int[] inner = new int[1];
        Handle outer = service.write(h -> {
            h.execute("INSERT INTO kept_notes(v) VALUES (1)");
            // a separate connection: the outer transaction's row is not committed yet
            inner[0] = service.readOwnWrites(i -> {
                assertThat(i).isNotSameAs(h);
                return i.createQuery("SELECT count(*) FROM kept_notes").mapTo(int.class).one();
            });
            h.execute("INSERT INTO kept_notes(v) VALUES (2)");
            return h;
        });

        assertThat(inner[0]).isZero();
        assertThat(service.readOwnWrites(Notes.class, Notes::count)).isEqualTo(2);
        Handle later = service.read(h -> h);
        assertThat(later).isSameAs(outer);
        assertThat(pool.active()).isZero();
    }

    @Test
    void aKeptHandleAccumulatesNothingFromCallToCall() throws Exception {
        Handle h = service.read(x -> x);
        for (int i = 0; i < 500; i++) {
            int v = i;
            service.write(Notes.class, d -> d.add(v));
            service.read(x -> x.createQuery("SELECT v FROM kept_notes LIMIT 1").mapTo(int.class).list());
            service.read(x -> x.createQuery("SELECT 1").mapTo(int.class).stream().count()); // a stream left to the handle
        }

        Handle later = service.read(x -> x);
        assertThat(later).isSameAs(h);
        // Jdbi's own bookkeeping: nothing left registered for cleanup on the handle
        Field cleanables = Handle.class.getDeclaredField("cleanables");
        cleanables.setAccessible(true);
        assertThat((Collection<?>) cleanables.get(h)).hasSizeLessThan(5);
        assertThat(service.read(Notes.class, Notes::count)).isEqualTo(500);
    }
}
