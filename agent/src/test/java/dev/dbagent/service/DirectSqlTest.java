package dev.dbagent.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.dbagent.internal.pool.Failures;
import dev.dbagent.schema.foundation.Citizen;
import dev.dbagent.schema.foundation.CitizenDao;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The direct statement path of plain SqlObject methods gives exactly what Jdbi gives: every method
 * below runs on a service that takes the direct path and on one whose Jdbi is customised (so every
 * statement goes through Jdbi), and the results, the exceptions (type, message, SQLSTATE) and the
 * slow-call records must be equal.
 */
@ExtendWith(PostgresExtension.class)
class DirectSqlTest {

    /** A row mapped by Jdbi's constructor mapper, registered on the DAO type as the civic DAOs do. */
    public record Item(int id, String owner, Integer qty) {}

    /** Every shape the direct path takes, and some it leaves to Jdbi. */
    @RegisterConstructorMapper(Item.class)
    public interface Items {
        @SqlUpdate("INSERT INTO item(id, owner, qty) VALUES (:id, :owner, :qty)")
        int insert(@Bind("id") int id, @Bind("owner") String owner, @Bind("qty") Integer qty);

        @SqlUpdate("UPDATE item SET qty = qty + 1 WHERE id = :id")
        boolean bump(@Bind("id") int id);

        @SqlUpdate("UPDATE item SET qty = 0 WHERE id = :id")
        void reset(@Bind("id") int id);

        @SqlQuery("SELECT owner FROM item WHERE id = :id")
        String owner(@Bind("id") int id);

        @SqlQuery("SELECT qty FROM item WHERE id = ?")
        int qty(int id);

        @SqlQuery("SELECT qty FROM item WHERE id = ?")
        Integer qtyBoxed(int id);

        @SqlQuery("SELECT count(*) FROM item WHERE owner = :owner OR (:owner IS NULL AND owner IS NULL)")
        long countOwner(@Bind("owner") String owner);

        @SqlQuery("SELECT id, owner, qty FROM item WHERE id = :id AND :id > 0")
        Item item(@Bind("id") int id);

        @SqlQuery("SELECT id FROM item ORDER BY id")
        List<Integer> ids();

        @SqlQuery("SELECT id, owner, qty FROM item WHERE id BETWEEN :from AND :to ORDER BY id")
        List<Item> range(@Bind("from") int from, @Bind("to") int to);

        @SqlQuery("SELECT owner FROM item WHERE id BETWEEN :from AND :to ORDER BY id")
        Set<String> owners(@Bind("from") int from, @Bind("to") int to);

        @SqlQuery("SELECT id, owner, qty FROM item WHERE id BETWEEN :from AND :to ORDER BY id")
        Optional<Item> find(@Bind("from") int from, @Bind("to") int to);

        @SqlQuery("SELECT owner FROM item WHERE id = :id")
        Optional<String> ownerIfAny(@Bind("id") int id);

        @SqlQuery("SELECT id, owner, qty FROM <table> WHERE id = :id")
        Item fromDefined(@Define("table") String table, @Bind("id") int id);

        @SqlQuery("SELECT nonsense FROM item WHERE id = :id")
        String broken(@Bind("id") int id);

        @SqlQuery("SELECT 1 / :d")
        int divide(@Bind("d") int d);

        @SqlQuery("SELECT owner FROM item WHERE id = :id")
        String unbound(@Bind("other") int id);
    }

    private final List<PooledTestProvider> providers = new ArrayList<>();

    @BeforeAll
    static void schema(TestDatabase db) {
        db.jdbi().useHandle(h -> {
            h.execute("CREATE TABLE item(id int PRIMARY KEY, owner text, qty int)");
            h.execute("CREATE TABLE citizens (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL,"
                    + " display_name text NOT NULL, jurisdiction_id bigint, created_at timestamptz NOT NULL DEFAULT now(),"
                    + " CONSTRAINT citizens_email_format_ck CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'))");
        });
    }

    @AfterEach
    void close() {
        providers.forEach(PooledTestProvider::close);
    }

    /** @return a service with every call recorded as slow, direct or (customised Jdbi) through Jdbi */
    private DatabaseService service(TestDatabase db, boolean direct) {
        PooledTestProvider p = PooledTestProvider.direct(db, 4);
        providers.add(p);
        ServiceSettings settings = new ServiceSettings(Duration.ofNanos(1), 100, ServiceSettings.defaults().retry(),
                ServiceSettings.defaults().breaker());
        DatabaseService.Builder b = DatabaseService.builder(p).agentName(direct ? "direct" : "jdbi").settings(settings)
                .metrics(new MetricRegistry());
        if (!direct) {
            b.configureJdbi(jdbi -> { });
        }
        return b.build();
    }

    /** The outcome of one call: its value, or the exception's class, message and SQLSTATE. */
    private static String outcome(DatabaseService s, boolean write, Function<Items, Object> call) {
        try {
            Object v = write ? s.write(Items.class, call::apply) : s.read(Items.class, call::apply);
            return "value " + v + (v == null ? "" : " (" + v.getClass().getSimpleName() + ")");
        } catch (RuntimeException e) {
            return "thrown " + e.getClass().getName() + ": " + e.getMessage() + " sqlstate " + Failures.sqlState(e);
        }
    }

    @Test
    void givesWhatJdbiGivesForEveryShape(TestDatabase db) {
        DatabaseService direct = service(db, true);
        DatabaseService jdbi = service(db, false);
        List<String> fromDirect = new ArrayList<>();
        List<String> fromJdbi = new ArrayList<>();
        // each write is made once per service on its own rows; reads see the same rows
        int[] base = {7_000_000, 8_000_000};
        for (int i = 0; i < 2; i++) {
            DatabaseService s = i == 0 ? direct : jdbi;
            List<String> out = i == 0 ? fromDirect : fromJdbi;
            int b = base[i];
            out.add(outcome(s, true, d -> d.insert(b + 1, "ada", 5)));
            out.add(outcome(s, true, d -> d.insert(b + 2, null, null)));
            out.add(outcome(s, true, d -> d.insert(b + 1, "dup", 1))); // 23505
            out.add(outcome(s, true, d -> d.bump(b + 1)));
            out.add(outcome(s, true, d -> d.bump(b + 99))); // no row: false
            out.add(outcome(s, true, d -> {
                d.reset(b + 1);
                return d.qty(b + 1);
            }));
            out.add(outcome(s, false, d -> d.owner(b + 1)));
            out.add(outcome(s, false, d -> d.owner(b + 2))); // null column
            out.add(outcome(s, false, d -> d.owner(b + 99))); // no row
            out.add(outcome(s, false, d -> d.qty(b + 2))); // null into int: Jdbi's default 0
            out.add(outcome(s, false, d -> d.qty(b + 99))); // no row into int: IllegalStateException
            out.add(outcome(s, false, d -> d.qtyBoxed(b + 2)));
            out.add(outcome(s, false, d -> d.qtyBoxed(b + 1)));
            out.add(outcome(s, false, d -> d.item(b + 1).owner()));
            out.add(outcome(s, false, d -> d.item(b + 99)));
            out.add(outcome(s, false, d -> d.fromDefined("item", b + 1).owner()));
            out.add(outcome(s, false, d -> d.ids().contains(b + 1)));
            out.add(outcome(s, false, d -> d.range(b, b + 9).stream().map(Item::owner).toList()));
            out.add(outcome(s, false, d -> d.range(b + 50, b + 59)));
            out.add(outcome(s, false, d -> new java.util.TreeSet<>(d.owners(b + 1, b + 1))));
            out.add(outcome(s, false, d -> d.owners(b, b + 9).size()));
            out.add(outcome(s, false, d -> d.find(b + 1, b + 1).map(Item::owner)));
            out.add(outcome(s, false, d -> d.find(b + 50, b + 59)));
            out.add(outcome(s, false, d -> d.find(b, b + 9))); // two rows: Jdbi's "multiple values" error
            out.add(outcome(s, false, d -> d.ownerIfAny(b + 2))); // a row whose value is null
            out.add(outcome(s, false, d -> d.ownerIfAny(b + 99)));
            out.add(outcome(s, false, d -> d.broken(b + 1))); // 42703 at execute
            out.add(outcome(s, false, d -> d.divide(0))); // 22012 at execute
            out.add(outcome(s, false, d -> d.divide(2)));
            out.add(outcome(s, false, d -> d.unbound(b + 1))); // Jdbi refuses the missing binding
            out.add(outcome(s, true, d -> d.insert(b + 3, "x", 1) + d.divide(0))); // rolled back whole
            out.add(outcome(s, false, d -> d.qtyBoxed(b + 3)));
        }
        List<String> normalised = fromDirect.stream().map(o -> o.replace("7000", "N000")).toList();
        List<String> expected = fromJdbi.stream().map(o -> o.replace("8000", "N000")).toList();
        assertThat(normalised).containsExactlyElementsOf(expected);
        assertThat(expected.get(2)).contains("UnableToExecuteStatementException").contains("23505")
                .contains("arguments:");
        assertThat(expected.get(10)).contains("IllegalStateException").contains("returns primitive");
        assertThat(expected.get(17)).isEqualTo("value [ada, null] (ListN)");
        assertThat(expected.get(23)).startsWith("thrown java.lang.IllegalStateException");
        assertThat(expected.get(26)).contains("42703");
        assertThat(expected.get(29)).startsWith("thrown org.jdbi.v3.core.statement.").contains("id");
        assertThat(expected.get(31)).isEqualTo("value null");
        // the direct path ran the plain ones; the jdbi service has none
        assertThat(direct.directStatementCount()).isGreaterThanOrEqualTo(20);
        assertThat(jdbi.directStatementCount()).isZero();
    }

    @Test
    void slowCallsRecordTheSameStatementsAsThroughJdbi(TestDatabase db) {
        DatabaseService direct = service(db, true);
        DatabaseService jdbi = service(db, false);
        for (DatabaseService s : List.of(direct, jdbi)) {
            int b = s == direct ? 300 : 400;
            s.write(Items.class, d -> d.insert(b, "ann", 1) + d.insert(b + 1, "bea", 2));
            s.read(Items.class, d -> d.owner(b));
            outcome(s, false, d -> d.divide(0));
            outcome(s, false, d -> d.find(b, b + 1)); // two rows for an Optional: the collector throws after the statement
        }
        List<String> a = new ArrayList<>();
        List<String> e = new ArrayList<>();
        for (SlowQuery q : direct.slowQueries()) {
            a.add(q.kind() + " " + q.statements() + " " + q.attempts() + " " + q.sql());
        }
        for (SlowQuery q : jdbi.slowQueries()) {
            e.add(q.kind() + " " + q.statements() + " " + q.attempts() + " " + q.sql());
        }
        assertThat(a).containsExactlyElementsOf(e);
        assertThat(e).hasSize(4);
        assertThat(e.get(0)).startsWith("READ 1 1 SELECT id, owner, qty FROM item WHERE id BETWEEN");
        assertThat(e.get(1)).contains("/ :d");
        assertThat(e.get(3)).startsWith("WRITE 2 1 INSERT INTO item");
    }

    @Test
    void theCivicDaosGiveWhatJdbiGives(TestDatabase db) {
        DatabaseService direct = service(db, true);
        DatabaseService jdbi = service(db, false);
        Citizen viaDirect = direct.write(CitizenDao.class, d -> d.create("a@example.org", "Ada", null));
        Citizen viaJdbi = jdbi.write(CitizenDao.class, d -> d.create("b@example.org", "Bea", 7L));
        Citizen readBack = direct.read(CitizenDao.class, d -> d.findById(viaJdbi.id()).orElseThrow());

        assertThat(viaDirect.email()).isEqualTo("a@example.org");
        assertThat(viaDirect.displayName()).isEqualTo("Ada");
        assertThat(viaDirect.jurisdictionId()).isNull();
        assertThat(viaDirect.createdAt()).isNotNull();
        assertThat(List.of(readBack.id(), readBack.email(), readBack.displayName(), readBack.jurisdictionId(),
                readBack.createdAt())).containsExactly(viaJdbi.id(), viaJdbi.email(), viaJdbi.displayName(),
                viaJdbi.jurisdictionId(), viaJdbi.createdAt());
        // the check constraint's failure is Jdbi's exception, byte for byte
        String d = outcomeOf(() -> direct.write(CitizenDao.class, x -> x.create("not-an-email", "Eve", null)));
        String j = outcomeOf(() -> jdbi.write(CitizenDao.class, x -> x.create("not-an-email", "Eve", null)));
        // the failing row shows the generated id and timestamp, which differ
        assertThat(d.replaceAll("Failing row contains \\(.*\\)\\.", "")).isEqualTo(j.replaceAll("Failing row contains \\(.*\\)\\.", ""))
                .contains("23514").contains("citizens_email_format_ck").contains("arguments:");
        assertThat(direct.directStatementCount()).isEqualTo(2); // the create and findById
    }

    @Test
    void plansAreMadeOncePerThreadHandleAndMethod(TestDatabase db) {
        DatabaseService direct = service(db, true);
        direct.write(Items.class, d -> d.insert(500, "p", 1));
        long plans = direct.directPlanCount();
        long statements = direct.directStatementCount();
        for (int i = 0; i < 50; i++) {
            assertThat(direct.<Items, String>read(Items.class, d -> d.owner(500))).isEqualTo("p");
        }
        assertThat(direct.directStatementCount() - statements).isEqualTo(50);
        assertThat(direct.directPlanCount() - plans).isEqualTo(1);
    }

    private static String outcomeOf(java.util.function.Supplier<?> call) {
        try {
            return "value " + Objects.toString(call.get());
        } catch (RuntimeException e) {
            return "thrown " + e.getClass().getName() + ": " + e.getMessage() + " sqlstate " + Failures.sqlState(e);
        }
    }
}
