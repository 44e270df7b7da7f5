package dev.dbagent.schema;

import dev.dbagent.schema.accountability.LedgerDao;
import dev.dbagent.schema.arguments.ArgumentDao;
import dev.dbagent.schema.arguments.ClaimDao;
import dev.dbagent.schema.discovery.SavedSearchDao;
import dev.dbagent.schema.discovery.SearchDao;
import dev.dbagent.schema.discovery.TagDao;
import dev.dbagent.schema.foundation.BillDao;
import dev.dbagent.schema.foundation.CitizenDao;
import dev.dbagent.schema.foundation.JurisdictionDao;
import dev.dbagent.schema.foundation.OfficialDao;
import dev.dbagent.schema.participation.CommentDao;
import dev.dbagent.schema.participation.ParticipationDao;
import dev.dbagent.schema.participation.PetitionDao;
import dev.dbagent.schema.participation.PositionDao;
import java.util.List;
import java.util.Optional;

/**
 * The catalogue of the reference domain model: where its changelogs are, which tables each domain
 * owns and which DAOs read and write them. This is what the agent migrates ({@link #MASTER_CHANGELOG})
 * and verifies (every SQL statement of every DAO in {@link #daoClasses()}).
 *
 * <p>The changelogs and DAOs use unqualified names, so the model can live in any schema: the
 * agent applies it into {@link #DEFAULT_SCHEMA} normally, and into throwaway schemas to detect
 * drift. Connections that use the DAOs must have that schema on their {@code search_path}
 * (e.g. JDBC URL parameter {@code currentSchema=civic}).
 *
 * <p>Stateless and thread-safe.
 */
public final class DomainSchema {

    /** The schema the agent applies the model into unless configured otherwise. */
    public static final String DEFAULT_SCHEMA = "civic";

    /** Classpath path of the Liquibase master changelog, which includes every domain's changelog. */
    public static final String MASTER_CHANGELOG = "dev/dbagent/schema/changelog/master.xml";

    /** Classpath path of the reference-data changelog (included by the master changelog). */
    public static final String REFERENCE_CHANGELOG = "dev/dbagent/schema/changelog/reference.sql";

    /**
     * The Liquibase context of the reference-data changesets. {@code init} runs the master changelog
     * with this context; a migration with contexts that exclude it leaves reference data alone.
     * The reference changesets are idempotent.
     */
    public static final String REFERENCE_CONTEXT = "reference";

    private static final String CHANGELOG_DIR = "dev/dbagent/schema/changelog/";

    private static final List<Domain> DOMAINS = List.of(
            new Domain("foundation", CHANGELOG_DIR + "foundation.sql",
                    List.of("jurisdictions", "citizens", "officials", "bills", "bill_status_history"),
                    List.of(JurisdictionDao.class, CitizenDao.class, OfficialDao.class, BillDao.class)),
            new Domain("participation", CHANGELOG_DIR + "participation.sql",
                    List.of("comments", "bill_positions", "petitions", "petition_signatures"),
                    List.of(CommentDao.class, PositionDao.class, PetitionDao.class, ParticipationDao.class)),
            new Domain("accountability", CHANGELOG_DIR + "accountability.sql",
                    List.of("accountability_ledger"),
                    List.of(LedgerDao.class)),
            new Domain("arguments", CHANGELOG_DIR + "arguments.sql",
                    List.of("arguments", "claims", "evidence_links"),
                    List.of(ArgumentDao.class, ClaimDao.class)),
            new Domain("discovery", CHANGELOG_DIR + "discovery.sql",
                    List.of("tags", "bill_tags", "saved_searches"),
                    List.of(TagDao.class, SearchDao.class, SavedSearchDao.class)));

    private DomainSchema() {
    }

    /**
     * The domains in the order their changelogs are applied.
     *
     * @return an immutable list
     */
    public static List<Domain> domains() {
        return DOMAINS;
    }

    /**
     * Looks a domain up by name.
     *
     * @param name the domain's name, e.g. {@code accountability}
     * @return the domain, or empty if there is none by that name
     */
    public static Optional<Domain> domain(String name) {
        return DOMAINS.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /**
     * Every DAO interface of every domain, in domain order.
     *
     * @return an immutable list of Jdbi SqlObject interfaces
     */
    public static List<Class<?>> daoClasses() {
        return DOMAINS.stream().flatMap(d -> d.daoClasses().stream()).toList();
    }

    /**
     * Every table of every domain, unqualified, in creation order.
     *
     * @return an immutable list
     */
    public static List<String> tables() {
        return DOMAINS.stream().flatMap(d -> d.tables().stream()).toList();
    }
}
