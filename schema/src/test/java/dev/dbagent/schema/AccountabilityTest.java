package dev.dbagent.schema;

import static dev.dbagent.schema.Civic.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.schema.accountability.LedgerAction;
import dev.dbagent.schema.accountability.LedgerDao;
import dev.dbagent.schema.accountability.LedgerEntry;
import dev.dbagent.schema.foundation.Bill;
import dev.dbagent.schema.foundation.Official;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class AccountabilityTest {
    private static final DateTimeFormatter CANONICAL_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private static Civic civic;
    private static LedgerDao ledger;
    private Official official;
    private Bill bill;

    @BeforeAll
    static void migrate(TestDatabase db) {
        civic = Civic.migrated(db);
        ledger = civic.dao(LedgerDao.class);
    }

    @BeforeEach
    void emptyLedger() {
        // only a superuser bypassing the triggers can empty the ledger; each test starts a new chain
        tamper("DELETE FROM accountability_ledger");
        official = civic.official(civic.jurisdiction().id());
        bill = civic.bill();
    }

    @Test
    void entriesAreChainedBySha256ComputedByTheDatabase() throws Exception {
        Instant when = Instant.parse("2025-03-01T12:30:45.123456Z");
        LedgerEntry first = ledger.record(official.id(), bill.id(), LedgerAction.SPONSORED, "{\"b\": 2, \"a\": 1}", when);
        LedgerEntry second = ledger.record(official.id(), null, LedgerAction.STATEMENT, "{}", when.plusSeconds(60));

        assertThat(first.id()).isEqualTo(1);
        assertThat(second.id()).isEqualTo(2);
        assertThat(first.prevHash()).isNull();
        assertThat(second.prevHash()).isEqualTo(first.hash());
        assertThat(first.details()).isEqualTo("{\"a\": 1, \"b\": 2}");
        assertThat(first.action()).isEqualTo(LedgerAction.SPONSORED);
        assertThat(first.occurredAt()).isEqualTo(when);
        assertThat(first.recordedAt()).isNotNull();
        assertThat(first.hash()).isEqualTo(sha256Hex(String.join("|", "", "1", Long.toString(official.id()),
                Long.toString(bill.id()), "sponsored", "{\"a\": 1, \"b\": 2}", CANONICAL_TIME.format(when))));
        assertThat(second.hash()).isEqualTo(sha256Hex(String.join("|", first.hash(), "2", Long.toString(official.id()),
                "", "statement", "{}", CANONICAL_TIME.format(when.plusSeconds(60)))));
        assertThat(ledger.firstBrokenEntry()).isEmpty();
    }

    @Test
    void updateIsRefusedWithAClearMessage() {
        LedgerEntry e = ledger.record(official.id(), bill.id(), LedgerAction.VOTED_YES, "{}", Instant.now());

        assertRefused(() -> civic.execute("UPDATE accountability_ledger SET action = 'voted_no' WHERE id = " + e.id()),
                "23001", "accountability_ledger is append-only: UPDATE of entry " + e.id() + " is not allowed");
        assertThat(ledger.findById(e.id())).contains(e);
    }

    @Test
    void deleteAndTruncateAreRefusedWithAClearMessage() {
        LedgerEntry e = ledger.record(official.id(), bill.id(), LedgerAction.VOTED_NO, "{}", Instant.now());

        assertRefused(() -> civic.execute("DELETE FROM accountability_ledger WHERE id = " + e.id()),
                "23001", "accountability_ledger is append-only: DELETE of entry " + e.id() + " is not allowed");
        assertRefused(() -> civic.execute("TRUNCATE accountability_ledger"),
                "23001", "accountability_ledger is append-only: TRUNCATE is not allowed");
        assertThat(ledger.count()).isEqualTo(1);
    }

    @Test
    void chainCheckFindsAnEntryEditedBehindTheTriggersBack() {
        for (int i = 0; i < 5; i++) {
            ledger.record(official.id(), bill.id(), LedgerAction.VOTED_YES, "{\"roll\": " + i + "}", Instant.now());
        }

        tamper("UPDATE accountability_ledger SET action = 'voted_no' WHERE id = 3");

        assertThat(ledger.firstBrokenEntry()).contains(3L);
        assertThat(ledger.findById(3).orElseThrow().action()).isEqualTo(LedgerAction.VOTED_NO);
    }

    @Test
    void chainCheckFindsAnEntryWhoseHashWasRewrittenToMatch() {
        for (int i = 0; i < 4; i++) {
            ledger.record(official.id(), null, LedgerAction.STATEMENT, "{}", Instant.now());
        }

        // a careful forger recomputes entry 2's own hash; entry 3 still points at the old one
        tamper("UPDATE accountability_ledger SET details = '{\"forged\": true}', hash = accountability_entry_hash("
                + "prev_hash, id, official_id, bill_id, action, '{\"forged\": true}'::jsonb, occurred_at) WHERE id = 2");

        assertThat(ledger.firstBrokenEntry()).contains(3L);
    }

    @Test
    void chainCheckFindsARemovedEntry() {
        for (int i = 0; i < 4; i++) {
            ledger.record(official.id(), null, LedgerAction.ABSTAINED, "{}", Instant.now());
        }

        tamper("DELETE FROM accountability_ledger WHERE id = 2");

        assertThat(ledger.firstBrokenEntry()).contains(3L);
    }

    @Test
    void chainCheckDoesNotDependOnSessionSettings() {
        ledger.record(official.id(), bill.id(), LedgerAction.SIGNED, "{\"note\": \"é\"}", Instant.parse("2024-07-04T00:00:00Z"));

        Long broken = civic.jdbi.withHandle(h -> {
            h.execute("SET TimeZone = 'Pacific/Chatham'");
            h.execute("SET DateStyle = 'ISO, DMY'");
            h.execute("SET search_path = public");
            return h.createQuery("SELECT count(*) FROM civic.accountability_ledger_verification WHERE NOT (hash_ok AND link_ok)")
                    .mapTo(Long.class).one();
        });

        assertThat(broken).isZero();
    }

    @Test
    void entriesArePagedAndFilteredByOfficial() {
        Official other = civic.official(civic.jurisdiction().id());
        LedgerEntry a = ledger.record(official.id(), null, LedgerAction.STATEMENT, "{}", Instant.now());
        LedgerEntry b = ledger.record(other.id(), null, LedgerAction.STATEMENT, "{}", Instant.now());
        LedgerEntry c = ledger.record(official.id(), bill.id(), LedgerAction.COSPONSORED, "{}", Instant.now());

        assertThat(ledger.list(0, 2)).containsExactly(a, b);
        assertThat(ledger.list(b.id(), 2)).containsExactly(c);
        assertThat(ledger.listByOfficial(official.id(), 0, 10)).containsExactly(a, c);
        assertThat(ledger.listByOfficial(official.id(), a.id(), 10)).containsExactly(c);
        assertThat(ledger.findById(99)).isEmpty();
    }

    @Test
    void entryRulesAreEnforced() {
        assertRefused(() -> ledger.record(official.id(), null, LedgerAction.STATEMENT, "[1, 2]", Instant.now()),
                "23514", "accountability_ledger_details_ck");
        assertRefused(() -> ledger.record(official.id(), null, LedgerAction.STATEMENT, "not json", Instant.now()),
                "22P02", "invalid input syntax for type json");
        assertRefused(() -> ledger.record(999_999L, null, LedgerAction.STATEMENT, "{}", Instant.now()),
                "23503", "accountability_ledger_official_fk");
        assertRefused(() -> civic.execute("INSERT INTO accountability_ledger (official_id, action, occurred_at) VALUES ("
                + official.id() + ", 'bribed', now())"), "23514", "accountability_ledger_action_ck");
        assertThat(ledger.count()).isZero();
    }

    @Test
    void concurrentAppendsKeepOneUnbrokenChain() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        ledger.record(official.id(), bill.id(), LedgerAction.VOTED_YES, "{}", Instant.now());
                    }
                }));
            }
            for (Future<?> f : writers) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(ledger.count()).isEqualTo(40);
        assertThat(ledger.list(0, 100)).extracting(LedgerEntry::id)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 40).boxed().toList());
        assertThat(ledger.firstBrokenEntry()).isEmpty();
    }

    private static void tamper(String sql) {
        civic.jdbi.useHandle(h -> {
            h.execute("SET session_replication_role = replica");
            try {
                h.execute(sql);
            } finally {
                h.execute("RESET session_replication_role");
            }
        });
    }

    private static String sha256Hex(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
