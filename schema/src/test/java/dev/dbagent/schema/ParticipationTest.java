package dev.dbagent.schema;

import static dev.dbagent.schema.Civic.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.schema.foundation.Bill;
import dev.dbagent.schema.foundation.Citizen;
import dev.dbagent.schema.participation.BillPosition;
import dev.dbagent.schema.participation.Comment;
import dev.dbagent.schema.participation.CommentDao;
import dev.dbagent.schema.participation.ParticipationDao;
import dev.dbagent.schema.participation.ParticipationSummary;
import dev.dbagent.schema.participation.Petition;
import dev.dbagent.schema.participation.PetitionDao;
import dev.dbagent.schema.participation.PetitionSignature;
import dev.dbagent.schema.participation.PositionDao;
import dev.dbagent.schema.participation.Stance;
import dev.dbagent.schema.participation.ThreadedComment;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class ParticipationTest {
    private static Civic civic;
    private static CommentDao comments;
    private static PositionDao positions;
    private static PetitionDao petitions;
    private static ParticipationDao participation;

    @BeforeAll
    static void migrate(TestDatabase db) {
        civic = Civic.migrated(db);
        comments = civic.dao(CommentDao.class);
        positions = civic.dao(PositionDao.class);
        petitions = civic.dao(PetitionDao.class);
        participation = civic.dao(ParticipationDao.class);
    }

    @Test
    void commentsFormThreadsReadDepthFirst() {
        Bill bill = civic.bill();
        Citizen ann = civic.citizen();
        Citizen bob = civic.citizen();
        Comment root = comments.create(bill.id(), ann.id(), null, "Root");
        Comment first = comments.create(bill.id(), bob.id(), root.id(), "First reply");
        Comment second = comments.create(bill.id(), ann.id(), root.id(), "Second reply");
        Comment nested = comments.create(bill.id(), ann.id(), first.id(), "Reply to first");
        Comment otherRoot = comments.create(bill.id(), bob.id(), null, "Another thread");

        assertThat(comments.findById(nested.id())).contains(nested);
        assertThat(nested.parentId()).isEqualTo(first.id());
        assertThat(comments.thread(root.id()))
                .extracting(ThreadedComment::id, ThreadedComment::depth, ThreadedComment::body)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(root.id(), 0, "Root"),
                        org.assertj.core.groups.Tuple.tuple(first.id(), 1, "First reply"),
                        org.assertj.core.groups.Tuple.tuple(nested.id(), 2, "Reply to first"),
                        org.assertj.core.groups.Tuple.tuple(second.id(), 1, "Second reply"));
        assertThat(comments.thread(first.id())).extracting(ThreadedComment::id).containsExactly(first.id(), nested.id());
        assertThat(comments.thread(-1)).isEmpty();
        assertThat(comments.listByBill(bill.id(), 0, 3)).containsExactly(root, first, second);
        assertThat(comments.listByBill(bill.id(), second.id(), 3)).containsExactly(nested, otherRoot);
    }

    @Test
    void replyMustBeOnTheSameBillAsItsParent() {
        Citizen c = civic.citizen();
        Comment onA = comments.create(civic.bill().id(), c.id(), null, "On bill A");
        long billB = civic.bill().id();

        assertRefused(() -> comments.create(billB, c.id(), onA.id(), "Reply placed on bill B"), "23503", "comments_parent_fk");
        assertRefused(() -> comments.create(billB, c.id(), 999_999L, "Reply to nothing"), "23503", "comments_parent_fk");
    }

    @Test
    void commentRulesAreEnforced() {
        long bill = civic.bill().id();
        long citizen = civic.citizen().id();

        assertRefused(() -> comments.create(bill, citizen, null, "   "), "23514", "comments_body_ck");
        assertRefused(() -> comments.create(bill, citizen, null, "x".repeat(10_001)), "23514", "comments_body_ck");
        assertRefused(() -> comments.create(999_999L, citizen, null, "No bill"), "23503", "comments_bill_fk");
        assertRefused(() -> comments.create(bill, 999_999L, null, "No author"), "23503", "comments_citizen_fk");
    }

    @Test
    void aCitizenHasOnePositionPerBillAndMayChangeIt() {
        long bill = civic.bill().id();
        long citizen = civic.citizen().id();

        BillPosition first = positions.take(bill, citizen, Stance.SUPPORT);
        BillPosition changed = positions.take(bill, citizen, Stance.OPPOSE);

        assertThat(first.stance()).isEqualTo(Stance.SUPPORT);
        assertThat(changed.stance()).isEqualTo(Stance.OPPOSE);
        assertThat(changed.updatedAt()).isAfterOrEqualTo(first.updatedAt());
        assertThat(positions.find(bill, citizen)).contains(changed);
        assertThat(positions.listByBill(bill, 0, 10)).containsExactly(changed);
        assertRefused(() -> civic.execute("INSERT INTO bill_positions (bill_id, citizen_id, stance) VALUES ("
                + bill + ", " + citizen + ", 'neutral')"), "23505", "bill_positions_pk");
        assertRefused(() -> civic.execute("INSERT INTO bill_positions (bill_id, citizen_id, stance) VALUES ("
                + bill + ", " + civic.citizen().id() + ", 'maybe')"), "23514", "bill_positions_stance_ck");
        assertRefused(() -> positions.take(999_999L, citizen, Stance.NEUTRAL), "23503", "bill_positions_bill_fk");

        assertThat(positions.withdraw(bill, citizen)).isTrue();
        assertThat(positions.withdraw(bill, citizen)).isFalse();
        assertThat(positions.find(bill, citizen)).isEmpty();
    }

    @Test
    void positionsArePagedByCitizen() {
        long bill = civic.bill().id();
        long a = civic.citizen().id();
        long b = civic.citizen().id();
        long c = civic.citizen().id();
        positions.take(bill, c, Stance.NEUTRAL);
        positions.take(bill, a, Stance.SUPPORT);
        positions.take(bill, b, Stance.OPPOSE);

        assertThat(positions.listByBill(bill, 0, 2)).extracting(BillPosition::citizenId).containsExactly(a, b);
        assertThat(positions.listByBill(bill, b, 2)).extracting(BillPosition::citizenId).containsExactly(c);
    }

    @Test
    void aCitizenSignsAPetitionOnce() {
        Citizen creator = civic.citizen();
        Citizen signer = civic.citizen();
        Petition p = petitions.create(civic.bill().id(), creator.id(), "Fund libraries", "Please", 100, null);

        PetitionSignature s = petitions.sign(p.id(), signer.id());
        petitions.sign(p.id(), creator.id());

        assertThat(petitions.findById(p.id())).contains(p);
        assertThat(s.petitionId()).isEqualTo(p.id());
        assertThat(s.citizenId()).isEqualTo(signer.id());
        assertThat(petitions.signatureCount(p.id())).isEqualTo(2);
        assertThat(petitions.signatures(p.id(), 0, 1)).extracting(PetitionSignature::citizenId).containsExactly(creator.id());
        assertThat(petitions.signatures(p.id(), creator.id(), 5)).containsExactly(s);
        assertRefused(() -> petitions.sign(p.id(), signer.id()), "23505", "petition_signatures_pk");
        assertRefused(() -> petitions.sign(999_999L, signer.id()), "23503", "petition_signatures_petition_fk");
    }

    @Test
    void petitionRulesAreEnforced() {
        long creator = civic.citizen().id();

        assertRefused(() -> petitions.create(null, creator, "Zero goal", "", 0, null), "23514", "petitions_goal_ck");
        assertRefused(() -> petitions.create(null, creator, " ", "", 10, null), "23514", "petitions_title_ck");
        assertRefused(() -> petitions.create(null, creator, "Closed at birth", "", 10, Instant.now().minus(1, ChronoUnit.DAYS)),
                "23514", "petitions_closes_ck");
        assertRefused(() -> petitions.create(null, 999_999L, "Nobody's", "", 10, null), "23503", "petitions_creator_fk");
    }

    @Test
    void aClosedPetitionRefusesSignatures() {
        long creator = civic.citizen().id();
        long id = civic.jdbi.withHandle(h -> h.createQuery("INSERT INTO petitions (creator_id, title, signature_goal, "
                + "created_at, closes_at) VALUES (:c, 'Old', 5, now() - interval '2 days', now() - interval '1 day') "
                + "RETURNING id").bind("c", creator).mapTo(Long.class).one());
        Petition open = petitions.create(null, creator, "Open", "", 5, Instant.now().plus(1, ChronoUnit.DAYS));

        assertRefused(() -> petitions.sign(id, civic.citizen().id()), "23514",
                "petition " + id + " closed at");
        assertThat(petitions.sign(open.id(), civic.citizen().id()).petitionId()).isEqualTo(open.id());
        assertThat(petitions.signatureCount(id)).isZero();
    }

    @Test
    void petitionsArePaged() {
        long creator = civic.citizen().id();
        Petition a = petitions.create(null, creator, "A", "", 1, null);
        Petition b = petitions.create(null, creator, "B", "", 1, null);

        assertThat(petitions.list(a.id() - 1, 1)).containsExactly(a);
        assertThat(petitions.list(a.id(), 1)).containsExactly(b);
    }

    @Test
    void summaryCountsEveryKindOfParticipation() {
        Bill bill = civic.bill();
        Bill other = civic.bill();
        Citizen[] c = {civic.citizen(), civic.citizen(), civic.citizen(), civic.citizen(), civic.citizen()};
        positions.take(bill.id(), c[0].id(), Stance.SUPPORT);
        positions.take(bill.id(), c[1].id(), Stance.SUPPORT);
        positions.take(bill.id(), c[2].id(), Stance.OPPOSE);
        positions.take(bill.id(), c[3].id(), Stance.NEUTRAL);
        positions.take(other.id(), c[4].id(), Stance.OPPOSE);
        Comment root = comments.create(bill.id(), c[0].id(), null, "Good");
        comments.create(bill.id(), c[2].id(), root.id(), "Bad");
        comments.create(other.id(), c[2].id(), null, "Elsewhere");
        Petition p1 = petitions.create(bill.id(), c[0].id(), "Pass it", "", 10, null);
        Petition p2 = petitions.create(bill.id(), c[1].id(), "Pass it now", "", 10, null);
        petitions.sign(p1.id(), c[0].id());
        petitions.sign(p1.id(), c[1].id());
        petitions.sign(p2.id(), c[0].id());

        assertThat(participation.summary(bill.id()))
                .contains(new ParticipationSummary(bill.id(), 2, 1, 1, 2, 2, 3));
        assertThat(participation.summary(civic.bill().id())).get()
                .extracting(ParticipationSummary::support, ParticipationSummary::comments, ParticipationSummary::signatures)
                .containsExactly(0L, 0L, 0L);
        assertThat(participation.summary(-1)).isEmpty();
    }
}
