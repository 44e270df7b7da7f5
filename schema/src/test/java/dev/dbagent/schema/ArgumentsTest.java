package dev.dbagent.schema;

import static dev.dbagent.schema.Civic.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.schema.arguments.Argument;
import dev.dbagent.schema.arguments.ArgumentDao;
import dev.dbagent.schema.arguments.ArgumentStance;
import dev.dbagent.schema.arguments.Claim;
import dev.dbagent.schema.arguments.ClaimDao;
import dev.dbagent.schema.arguments.EvidenceLink;
import dev.dbagent.schema.arguments.EvidenceSourceKind;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.math.BigDecimal;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class ArgumentsTest {
    private static Civic civic;
    private static ArgumentDao arguments;
    private static ClaimDao claims;

    @BeforeAll
    static void migrate(TestDatabase db) {
        civic = Civic.migrated(db);
        arguments = civic.dao(ArgumentDao.class);
        claims = civic.dao(ClaimDao.class);
    }

    @Test
    void argumentIsCreatedUnscoredThenScored() {
        long bill = civic.bill().id();
        long author = civic.citizen().id();
        Argument a = arguments.create(bill, author, ArgumentStance.AGAINST, "Too costly", "It doubles the budget.");

        assertThat(a.stance()).isEqualTo(ArgumentStance.AGAINST);
        assertThat(a.qualityScore()).isNull();
        assertThat(arguments.findById(a.id())).contains(a);
        Argument scored = arguments.score(a.id(), new BigDecimal("0.8765")).orElseThrow();
        assertThat(scored.qualityScore()).isEqualByComparingTo("0.877");
        assertThat(arguments.score(-1, BigDecimal.ONE)).isEmpty();
        assertThat(arguments.findById(-1)).isEmpty();
    }

    @Test
    void qualityScoreIsKeptBetweenZeroAndOne() {
        Argument a = arguments.create(civic.bill().id(), null, ArgumentStance.FOR, "Good", "Because.");

        assertThat(arguments.score(a.id(), BigDecimal.ZERO).orElseThrow().qualityScore()).isEqualByComparingTo("0");
        assertThat(arguments.score(a.id(), BigDecimal.ONE).orElseThrow().qualityScore()).isEqualByComparingTo("1");
        assertRefused(() -> arguments.score(a.id(), new BigDecimal("1.001")), "23514", "arguments_quality_score_ck");
        assertRefused(() -> arguments.score(a.id(), new BigDecimal("-0.1")), "23514", "arguments_quality_score_ck");
        assertThat(arguments.findById(a.id()).orElseThrow().qualityScore()).isEqualByComparingTo("1");
    }

    @Test
    void argumentRulesAreEnforced() {
        long bill = civic.bill().id();

        assertRefused(() -> arguments.create(bill, null, ArgumentStance.FOR, "", "Body"), "23514", "arguments_title_ck");
        assertRefused(() -> arguments.create(bill, null, ArgumentStance.FOR, "x".repeat(301), "Body"), "23514",
                "arguments_title_ck");
        assertRefused(() -> arguments.create(bill, null, ArgumentStance.FOR, "Title", " "), "23514", "arguments_body_ck");
        assertRefused(() -> arguments.create(999_999L, null, ArgumentStance.FOR, "Title", "Body"), "23503",
                "arguments_bill_fk");
        assertRefused(() -> arguments.create(bill, 999_999L, ArgumentStance.FOR, "Title", "Body"), "23503",
                "arguments_author_fk");
        assertRefused(() -> civic.execute("INSERT INTO arguments (bill_id, stance, title, body) VALUES (" + bill
                + ", 'sideways', 'T', 'B')"), "23514", "arguments_stance_ck");
    }

    @Test
    void argumentsArePagedAndRankedByQuality() {
        long bill = civic.bill().id();
        Argument weak = arguments.create(bill, null, ArgumentStance.FOR, "Weak", "w");
        Argument unscored = arguments.create(bill, null, ArgumentStance.FOR, "Unscored", "u");
        Argument strong = arguments.create(bill, null, ArgumentStance.FOR, "Strong", "s");
        Argument against = arguments.create(bill, null, ArgumentStance.AGAINST, "Against", "a");
        arguments.score(weak.id(), new BigDecimal("0.2"));
        arguments.score(strong.id(), new BigDecimal("0.9"));
        arguments.score(against.id(), new BigDecimal("1"));

        assertThat(arguments.strongest(bill, ArgumentStance.FOR, 10)).extracting(Argument::id)
                .containsExactly(strong.id(), weak.id(), unscored.id());
        assertThat(arguments.strongest(bill, ArgumentStance.AGAINST, 10)).extracting(Argument::id).containsExactly(against.id());
        assertThat(arguments.listByBill(bill, 0, 2)).extracting(Argument::id).containsExactly(weak.id(), unscored.id());
        assertThat(arguments.listByBill(bill, unscored.id(), 5)).extracting(Argument::id).containsExactly(strong.id(), against.id());
    }

    @Test
    void claimsCarryEvidence() {
        Argument a = arguments.create(civic.bill().id(), null, ArgumentStance.FOR, "Saves lives", "Evidence follows.");
        Claim c1 = claims.create(a.id(), "Accidents fall by a third", new BigDecimal("0.7"));
        Claim c2 = claims.create(a.id(), "Costs are modest", null);
        EvidenceLink study = claims.addEvidence(c1.id(), "https://example.org/study.pdf", EvidenceSourceKind.STUDY, "RCT");
        EvidenceLink record = claims.addEvidence(c1.id(), "http://gov.example/minutes/12", EvidenceSourceKind.OFFICIAL_RECORD, "");

        assertThat(claims.findById(c1.id())).contains(c1);
        assertThat(c1.confidence()).isEqualByComparingTo("0.7");
        assertThat(c2.confidence()).isNull();
        assertThat(claims.listByArgument(a.id())).containsExactly(c1, c2);
        assertThat(claims.evidenceOf(c1.id())).containsExactly(study, record);
        assertThat(record.sourceKind()).isEqualTo(EvidenceSourceKind.OFFICIAL_RECORD);
        assertThat(claims.evidenceOf(c2.id())).isEmpty();
        assertThat(claims.findById(-1)).isEmpty();
    }

    @Test
    void claimAndEvidenceRulesAreEnforced() {
        Argument a = arguments.create(civic.bill().id(), null, ArgumentStance.FOR, "T", "B");
        Claim c = claims.create(a.id(), "Claim", null);
        claims.addEvidence(c.id(), "https://example.org/a", EvidenceSourceKind.NEWS, "");

        assertRefused(() -> claims.create(a.id(), "Overconfident", new BigDecimal("1.5")), "23514", "claims_confidence_ck");
        assertRefused(() -> claims.create(a.id(), " ", null), "23514", "claims_statement_ck");
        assertRefused(() -> claims.create(999_999L, "Orphan", null), "23503", "claims_argument_fk");
        assertRefused(() -> claims.addEvidence(c.id(), "https://example.org/a", EvidenceSourceKind.NEWS, "again"),
                "23505", "evidence_links_claim_url_uq");
        assertRefused(() -> claims.addEvidence(c.id(), "ftp://example.org/a", EvidenceSourceKind.DATASET, ""),
                "23514", "evidence_links_url_ck");
        assertRefused(() -> claims.addEvidence(999_999L, "https://example.org/b", EvidenceSourceKind.OTHER, ""),
                "23503", "evidence_links_claim_fk");
    }

    @Test
    void deletingAnArgumentRemovesItsClaimsAndEvidence() {
        Argument a = arguments.create(civic.bill().id(), null, ArgumentStance.FOR, "T", "B");
        Claim c = claims.create(a.id(), "Claim", null);
        claims.addEvidence(c.id(), "https://example.org/x", EvidenceSourceKind.STATUTE, "");

        civic.execute("DELETE FROM arguments WHERE id = " + a.id());

        assertThat(claims.findById(c.id())).isEmpty();
        assertThat(claims.evidenceOf(c.id())).isEmpty();
    }
}
