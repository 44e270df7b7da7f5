package dev.dbagent.ops;

import dev.dbagent.config.Environment;
import dev.dbagent.config.OpsSettings;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * What every part of {@link Operations} shares for one database: where the primary is, the target
 * schema, the catalogue (through its {@link Migrator}), the environment and the clock. Parts are
 * stateless apart from what they are given here, so they are thread-safe.
 */
abstract class OpsPart {
    /** The runtime context migrate runs with: changesets without a context, but not reference data. */
    static final String MIGRATE_CONTEXT = "schema";

    final Coordinates coordinates;
    final String targetSchema;
    /** Null when the database has no catalogue; {@link Operations} refuses what needs one. */
    final Migrator migrator;
    final List<Class<?>> daoClasses;
    final List<String> referenceContexts;
    final Duration lockTimeout;
    final Environment environment;
    final OpsSettings settings;
    final Clock clock;
    final SecureRandom random;
    final ProgressTracker progress;

    OpsPart(OpsPart shared) {
        this(shared.coordinates, shared.targetSchema, shared.migrator, shared.daoClasses, shared.referenceContexts,
                shared.lockTimeout, shared.environment, shared.settings, shared.clock, shared.random, shared.progress);
    }

    OpsPart(Coordinates coordinates, String targetSchema, Migrator migrator, List<Class<?>> daoClasses,
            List<String> referenceContexts, Duration lockTimeout, Environment environment, OpsSettings settings,
            Clock clock, SecureRandom random, ProgressTracker progress) {
        this.coordinates = coordinates;
        this.targetSchema = targetSchema;
        this.migrator = migrator;
        this.daoClasses = List.copyOf(daoClasses);
        this.referenceContexts = List.copyOf(referenceContexts);
        this.lockTimeout = lockTimeout;
        this.environment = environment;
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.progress = progress;
    }

    /** init and reset: the schema and the reference data. */
    String initContexts() {
        return referenceContexts.isEmpty() ? null : MIGRATE_CONTEXT + "," + String.join(",", referenceContexts);
    }

    /** migrate: the schema without reference data; everything when there is no reference context. */
    String migrateContexts() {
        return referenceContexts.isEmpty() ? null : MIGRATE_CONTEXT;
    }

    void ensureAgentSchema(OperationResult.Builder r) throws SQLException {
        r.timed("schema " + AgentSchema.SCHEMA, () -> {
            try (Connection c = coordinates.open("ops")) {
                boolean existed = Sql.schemaExists(c, AgentSchema.SCHEMA);
                AgentSchema.ensure(c);
                return existed ? "exists" : "created";
            }
        });
    }

    String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static String count(int n) {
        return n + " changeset" + (n == 1 ? "" : "s");
    }

    /** A concrete holder of the shared state, from which the parts are made. */
    static final class Shared extends OpsPart {
        Shared(Coordinates coordinates, String targetSchema, Migrator migrator, List<Class<?>> daoClasses,
                List<String> referenceContexts, Duration lockTimeout, Environment environment, OpsSettings settings,
                Clock clock) {
            super(coordinates, targetSchema, migrator, daoClasses, referenceContexts, lockTimeout, environment,
                    settings, clock, new SecureRandom(), new ProgressTracker(clock));
        }
    }
}
