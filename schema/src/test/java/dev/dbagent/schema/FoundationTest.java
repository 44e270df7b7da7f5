package dev.dbagent.schema;

import static dev.dbagent.schema.Civic.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.schema.foundation.Bill;
import dev.dbagent.schema.foundation.BillDao;
import dev.dbagent.schema.foundation.BillStatus;
import dev.dbagent.schema.foundation.BillStatusChange;
import dev.dbagent.schema.foundation.Citizen;
import dev.dbagent.schema.foundation.CitizenDao;
import dev.dbagent.schema.foundation.Jurisdiction;
import dev.dbagent.schema.foundation.JurisdictionDao;
import dev.dbagent.schema.foundation.JurisdictionLevel;
import dev.dbagent.schema.foundation.Official;
import dev.dbagent.schema.foundation.OfficialDao;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(PostgresExtension.class)
class FoundationTest {
    private static Civic civic;
    private static JurisdictionDao jurisdictions;
    private static CitizenDao citizens;
    private static OfficialDao officials;
    private static BillDao bills;

    @BeforeAll
    static void migrate(TestDatabase db) {
        civic = Civic.migrated(db);
        jurisdictions = civic.dao(JurisdictionDao.class);
        citizens = civic.dao(CitizenDao.class);
        officials = civic.dao(OfficialDao.class);
        bills = civic.dao(BillDao.class);
    }

    @Test
    void referenceJurisdictionsAreLoadedWithTheirParent() {
        Jurisdiction us = jurisdictions.findByCode("us").orElseThrow();
        Jurisdiction ca = jurisdictions.findByCode("us-ca").orElseThrow();

        assertThat(us.level()).isEqualTo(JurisdictionLevel.FEDERAL);
        assertThat(us.parentId()).isNull();
        assertThat(ca.name()).isEqualTo("California");
        assertThat(ca.level()).isEqualTo(JurisdictionLevel.STATE);
        assertThat(ca.parentId()).isEqualTo(us.id());
    }

    @Test
    void jurisdictionIsCreatedFoundAndPaged() {
        Jurisdiction parent = jurisdictions.findByCode("us-ny").orElseThrow();
        Jurisdiction created = jurisdictions.create("us-ny-nyc", "New York City", JurisdictionLevel.MUNICIPAL, parent.id());

        assertThat(jurisdictions.findById(created.id())).contains(created);
        assertThat(created.level()).isEqualTo(JurisdictionLevel.MUNICIPAL);
        assertThat(created.parentId()).isEqualTo(parent.id());
        assertThat(created.createdAt()).isNotNull();
        assertThat(jurisdictions.findById(-1)).isEmpty();
        assertThat(jurisdictions.findByCode("nowhere")).isEmpty();

        List<Jurisdiction> firstPage = jurisdictions.list(0, 2);
        List<Jurisdiction> secondPage = jurisdictions.list(firstPage.get(1).id(), 2);
        assertThat(firstPage).extracting(Jurisdiction::code).containsExactly("us", "us-ca");
        assertThat(secondPage).extracting(Jurisdiction::code).containsExactly("us-ny", "us-tx");
    }

    @Test
    void jurisdictionRulesAreEnforced() {
        assertRefused(() -> jurisdictions.create("us", "Duplicate", JurisdictionLevel.FEDERAL, null),
                "23505", "jurisdictions_code_uq");
        assertRefused(() -> jurisdictions.create("Bad Code", "Bad", JurisdictionLevel.STATE, null),
                "23514", "jurisdictions_code_format_ck");
        assertRefused(() -> jurisdictions.create("orphan", "Orphan", JurisdictionLevel.COUNTY, 999_999L),
                "23503", "jurisdictions_parent_fk");
        assertRefused(() -> civic.execute("INSERT INTO jurisdictions (code, name, level) VALUES ('x', 'X', 'galactic')"),
                "23514", "jurisdictions_level_ck");
    }

    @Test
    void citizenEmailIsUniqueWhateverItsCase() {
        Citizen c = citizens.create("Ada@Example.org", "Ada", jurisdictions.findByCode("us-ca").orElseThrow().id());

        assertThat(citizens.findById(c.id())).contains(c);
        assertThat(citizens.findByEmail("ada@example.ORG")).contains(c);
        assertThat(c.toString()).doesNotContain("Ada@");
        assertRefused(() -> citizens.create("ada@example.org", "Other Ada", null), "23505", "citizens_email_uq");
        assertRefused(() -> citizens.create("not-an-address", "Nobody", null), "23514", "citizens_email_format_ck");
        assertRefused(() -> citizens.create("blank@example.org", "   ", null), "23514", "citizens_display_name_ck");
        assertRefused(() -> citizens.create("lost@example.org", "Lost", 999_999L), "23503", "citizens_jurisdiction_fk");
    }

    @Test
    void citizensArePagedInIdOrder() {
        Citizen a = civic.citizen();
        Citizen b = civic.citizen();
        Citizen c = civic.citizen();

        assertThat(citizens.list(a.id() - 1, 2)).containsExactly(a, b);
        assertThat(citizens.list(b.id(), 10)).startsWith(c);
    }

    @Test
    void officialTermCannotEndBeforeItStarts() {
        long j = civic.jurisdiction().id();
        Official o = officials.create("Grace Hopper", "Governor", null, j, LocalDate.of(2021, 1, 1), LocalDate.of(2024, 12, 31));

        assertThat(officials.findById(o.id())).contains(o);
        assertThat(o.party()).isNull();
        assertThat(o.termEnd()).isEqualTo(LocalDate.of(2024, 12, 31));
        assertThat(officials.listByJurisdiction(j, 0, 10)).containsExactly(o);
        assertRefused(() -> officials.create("Backwards", "Mayor", null, j, LocalDate.of(2024, 1, 1), LocalDate.of(2023, 1, 1)),
                "23514", "officials_term_ck");
        assertRefused(() -> officials.create("Nowhere", "Mayor", null, 999_999L, LocalDate.of(2024, 1, 1), null),
                "23503", "officials_jurisdiction_fk");
    }

    @Test
    void billStartsAsDraftAndItsNumberIsUniqueWithinItsJurisdiction() {
        long j = civic.jurisdiction().id();
        Official sponsor = civic.official(j);
        Bill bill = bills.create(j, "SB 7", "Open data", "Publishes budgets", sponsor.id());

        assertThat(bill.status()).isEqualTo(BillStatus.DRAFT);
        assertThat(bill.sponsorId()).isEqualTo(sponsor.id());
        assertThat(bills.findById(bill.id())).contains(bill);
        assertThat(bills.create(civic.jurisdiction().id(), "SB 7", "Same number elsewhere", "", null).number())
                .isEqualTo("SB 7");
        assertRefused(() -> bills.create(j, "SB 7", "Duplicate", "", null), "23505", "bills_number_uq");
        assertRefused(() -> bills.create(j, "SB 8", " ", "", null), "23514", "bills_title_ck");
        assertRefused(() -> bills.create(j, "SB 9", "No sponsor", "", 999_999L), "23503", "bills_sponsor_fk");
    }

    @Test
    void billCannotBeInsertedPastDraft() {
        long j = civic.jurisdiction().id();

        assertRefused(() -> civic.execute("INSERT INTO bills (jurisdiction_id, number, title, status) VALUES ("
                + j + ", 'X 1', 'Skipping ahead', 'enacted')"), "23514", "a new bill must start as draft, not enacted");
    }

    @Test
    void billFollowsTheLegalLifecycleAndEveryMoveIsRecorded() {
        Bill bill = civic.bill();
        BillStatus[] path = {BillStatus.INTRODUCED, BillStatus.COMMITTEE, BillStatus.FLOOR, BillStatus.PASSED,
                BillStatus.VETOED, BillStatus.ENACTED};

        for (BillStatus status : path) {
            Bill moved = bills.changeStatus(bill.id(), status).orElseThrow();
            assertThat(moved.status()).isEqualTo(status);
            assertThat(moved.statusChangedAt()).isAfterOrEqualTo(bill.statusChangedAt());
        }

        List<BillStatusChange> history = bills.statusHistory(bill.id());
        assertThat(history).extracting(BillStatusChange::fromStatus).containsExactly(BillStatus.DRAFT,
                BillStatus.INTRODUCED, BillStatus.COMMITTEE, BillStatus.FLOOR, BillStatus.PASSED, BillStatus.VETOED);
        assertThat(history).extracting(BillStatusChange::toStatus).containsExactly(path);
        assertThat(history).allSatisfy(c -> assertThat(c.billId()).isEqualTo(bill.id()));
        assertThat(bills.findById(bill.id()).orElseThrow().status()).isEqualTo(BillStatus.ENACTED);
    }

    @Test
    void settingTheSameStatusAgainIsNotAMove() {
        Bill bill = civic.bill();

        assertThat(bills.changeStatus(bill.id(), BillStatus.DRAFT).orElseThrow().status()).isEqualTo(BillStatus.DRAFT);
        assertThat(bills.statusHistory(bill.id())).isEmpty();
        assertThat(bills.changeStatus(-1, BillStatus.INTRODUCED)).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1} is refused")
    @CsvSource({
        "DRAFT,      COMMITTEE", "DRAFT, ENACTED", "INTRODUCED, FLOOR", "COMMITTEE, PASSED", "FLOOR, ENACTED",
        "FLOOR,      WITHDRAWN", "PASSED, FAILED", "ENACTED, DRAFT", "FAILED, FLOOR", "WITHDRAWN, INTRODUCED",
        "VETOED,     PASSED"})
    void illegalTransitionsAreRefused(BillStatus from, BillStatus to) {
        Bill bill = civic.bill();
        moveTo(bill.id(), from);

        assertRefused(() -> bills.changeStatus(bill.id(), to), "23514",
                "illegal bill status transition " + from.name().toLowerCase() + " -> " + to.name().toLowerCase()
                        + " (bill " + bill.id() + ")");
        assertThat(bills.findById(bill.id()).orElseThrow().status()).isEqualTo(from);
    }

    @ParameterizedTest(name = "{0} -> {1} is allowed")
    @CsvSource({"DRAFT, WITHDRAWN", "INTRODUCED, WITHDRAWN", "COMMITTEE, WITHDRAWN", "COMMITTEE, FAILED",
        "FLOOR, FAILED", "PASSED, ENACTED"})
    void sideExitsAreAllowed(BillStatus from, BillStatus to) {
        Bill bill = civic.bill();
        moveTo(bill.id(), from);

        assertThat(bills.changeStatus(bill.id(), to).orElseThrow().status()).isEqualTo(to);
    }

    @Test
    void billsArePagedAndFilteredByStatus() {
        Bill a = civic.bill();
        Bill b = civic.bill();
        Bill c = civic.bill();
        bills.changeStatus(b.id(), BillStatus.INTRODUCED);

        assertThat(bills.list(a.id() - 1, 2)).extracting(Bill::id).containsExactly(a.id(), b.id());
        assertThat(bills.list(b.id(), 1)).extracting(Bill::id).containsExactly(c.id());
        assertThat(bills.listByStatus(BillStatus.INTRODUCED, a.id() - 1, 10)).extracting(Bill::id).contains(b.id())
                .doesNotContain(a.id(), c.id());
        assertThat(bills.listByStatus(BillStatus.DRAFT, a.id() - 1, 10)).extracting(Bill::id).contains(a.id(), c.id())
                .doesNotContain(b.id());
    }

    @Test
    void lifecycleTriggersWorkWhateverTheCallersSearchPath() {
        Bill bill = civic.bill();

        String status = civic.jdbi.withHandle(h -> {
            h.execute("SET search_path = public");
            h.execute("UPDATE civic.bills SET status = 'introduced' WHERE id = " + bill.id());
            return h.createQuery("SELECT to_status FROM civic.bill_status_history WHERE bill_id = :id")
                    .bind("id", bill.id()).mapTo(String.class).one();
        });

        assertThat(status).isEqualTo("introduced");
        assertThat(bills.findById(bill.id()).orElseThrow().status()).isEqualTo(BillStatus.INTRODUCED);
    }

    private static void moveTo(long billId, BillStatus target) {
        List<BillStatus> route = switch (target) {
            case DRAFT -> List.of();
            case INTRODUCED -> List.of(BillStatus.INTRODUCED);
            case COMMITTEE -> List.of(BillStatus.INTRODUCED, BillStatus.COMMITTEE);
            case FLOOR -> List.of(BillStatus.INTRODUCED, BillStatus.COMMITTEE, BillStatus.FLOOR);
            case PASSED -> List.of(BillStatus.INTRODUCED, BillStatus.COMMITTEE, BillStatus.FLOOR, BillStatus.PASSED);
            case FAILED -> List.of(BillStatus.INTRODUCED, BillStatus.COMMITTEE, BillStatus.FAILED);
            case ENACTED -> List.of(BillStatus.INTRODUCED, BillStatus.COMMITTEE, BillStatus.FLOOR, BillStatus.PASSED,
                    BillStatus.ENACTED);
            case VETOED -> List.of(BillStatus.INTRODUCED, BillStatus.COMMITTEE, BillStatus.FLOOR, BillStatus.PASSED,
                    BillStatus.VETOED);
            case WITHDRAWN -> List.of(BillStatus.WITHDRAWN);
        };
        route.forEach(s -> bills.changeStatus(billId, s).orElseThrow());
    }
}
