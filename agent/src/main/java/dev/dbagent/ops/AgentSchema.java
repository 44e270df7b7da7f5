package dev.dbagent.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/**
 * The agent's own schema {@code dbagent}: the audit log and the migration digest. Reset never
 * drops it, so the audit survives. Created idempotently under a transaction-level advisory lock,
 * because concurrent {@code CREATE ... IF NOT EXISTS} can still collide in the catalogue.
 */
final class AgentSchema {
    static final String SCHEMA = "dbagent";
    /** First half of every advisory-lock key dbagent takes: "dbag". */
    static final int LOCK_CLASS = 0x64626167;

    private AgentSchema() {
    }

    static void ensure(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            Sql.exec(c, "SELECT pg_advisory_xact_lock(" + LOCK_CLASS + ", 0)");
            Sql.exec(c, "CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
            Sql.exec(c, "CREATE TABLE IF NOT EXISTS " + SCHEMA + ".audit_log ("
                    + " id bigserial PRIMARY KEY,"
                    + " at timestamptz NOT NULL,"
                    + " caller text NOT NULL,"
                    + " operation text NOT NULL,"
                    + " arguments text NOT NULL,"
                    + " success boolean NOT NULL,"
                    + " outcome text NOT NULL,"
                    + " duration_ms bigint NOT NULL)");
            // added later: which agent, instance and host ran it, and the outcome as a type
            Sql.exec(c, "ALTER TABLE " + SCHEMA + ".audit_log"
                    + " ADD COLUMN IF NOT EXISTS agent text,"
                    + " ADD COLUMN IF NOT EXISTS instance text,"
                    + " ADD COLUMN IF NOT EXISTS host text,"
                    + " ADD COLUMN IF NOT EXISTS result text");
            Sql.exec(c, "CREATE TABLE IF NOT EXISTS " + SCHEMA + ".migration_state ("
                    + " target_schema text PRIMARY KEY,"
                    + " digest text NOT NULL,"
                    + " files text NOT NULL,"
                    + " migrated_at timestamptz NOT NULL)");
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** The stored digest row, if the schema, the row and the target's changelog table all exist. */
    record State(String digest, String files) {
    }

    /**
     * One query: the stored digest, provided the target's DATABASECHANGELOG still exists.
     *
     * @throws SQLException if the dbagent schema does not exist yet (42P01/3F000)
     */
    static Optional<State> state(Connection c, String targetSchema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT digest, files FROM " + SCHEMA + ".migration_state"
                + " WHERE target_schema = ? AND to_regclass(?) IS NOT NULL")) {
            ps.setString(1, targetSchema);
            ps.setString(2, Sql.ident(targetSchema) + ".databasechangelog");
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new State(rs.getString(1), rs.getString(2))) : Optional.empty();
            }
        }
    }

    static void storeState(Connection c, String targetSchema, String digest, String files, Instant at)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + SCHEMA + ".migration_state"
                + " (target_schema, digest, files, migrated_at) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (target_schema) DO UPDATE SET digest = EXCLUDED.digest, files = EXCLUDED.files,"
                + " migrated_at = EXCLUDED.migrated_at")) {
            ps.setString(1, targetSchema);
            ps.setString(2, digest);
            ps.setString(3, files);
            ps.setTimestamp(4, Timestamp.from(at));
            ps.executeUpdate();
        }
    }

    static void clearState(Connection c, String targetSchema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + SCHEMA + ".migration_state WHERE target_schema = ?")) {
            ps.setString(1, targetSchema);
            ps.executeUpdate();
        }
    }

    static void audit(Connection c, AuditEvent e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + SCHEMA + ".audit_log"
                + " (at, caller, operation, arguments, success, outcome, duration_ms, agent, instance, host, result)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setTimestamp(1, Timestamp.from(e.at()));
            ps.setString(2, e.caller());
            ps.setString(3, e.operation());
            ps.setString(4, new java.util.TreeMap<>(e.arguments()).toString());
            ps.setBoolean(5, e.success());
            ps.setString(6, e.summary());
            ps.setLong(7, e.duration().toMillis());
            ps.setString(8, e.agent());
            ps.setString(9, e.instance());
            ps.setString(10, e.host());
            ps.setString(11, e.outcome().name());
            ps.executeUpdate();
        }
    }
}
