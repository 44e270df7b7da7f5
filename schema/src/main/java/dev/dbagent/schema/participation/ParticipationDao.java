package dev.dbagent.schema.participation;

import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * Read-side queries across the participation tables.
 *
 * <p>On-demand instances are thread-safe; each method blocks on one round trip.
 */
@RegisterConstructorMapper(ParticipationSummary.class)
public interface ParticipationDao {

    /**
     * Counts positions by stance, comments, petitions and signatures for one bill, in one statement
     * (so the counts are consistent with each other).
     *
     * @param billId the bill
     * @return the summary, or empty if there is no such bill
     */
    @SqlQuery("SELECT b.id AS bill_id,"
            + " (SELECT count(*) FROM bill_positions p WHERE p.bill_id = b.id AND p.stance = 'support') AS support,"
            + " (SELECT count(*) FROM bill_positions p WHERE p.bill_id = b.id AND p.stance = 'oppose') AS oppose,"
            + " (SELECT count(*) FROM bill_positions p WHERE p.bill_id = b.id AND p.stance = 'neutral') AS neutral,"
            + " (SELECT count(*) FROM comments c WHERE c.bill_id = b.id) AS comments,"
            + " (SELECT count(*) FROM petitions t WHERE t.bill_id = b.id) AS petitions,"
            + " (SELECT count(*) FROM petition_signatures s JOIN petitions t ON t.id = s.petition_id"
            + "  WHERE t.bill_id = b.id) AS signatures"
            + " FROM bills b WHERE b.id = :billId")
    Optional<ParticipationSummary> summary(@Bind("billId") long billId);
}
