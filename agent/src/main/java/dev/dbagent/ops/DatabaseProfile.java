package dev.dbagent.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** A few facts about the database for {@link Operations#profile()}. Read-only catalogue queries. */
final class DatabaseProfile {
    private DatabaseProfile() {
    }

    static List<OperationResult.Step> describe(Connection c, String schema) throws SQLException {
        List<OperationResult.Step> out = new ArrayList<>();
        out.add(step(c, "server", "SELECT version()"));
        out.add(step(c, "database size", "SELECT current_database() || ': ' || pg_size_pretty(pg_database_size(current_database()))"));
        out.add(step(c, "largest tables", "SELECT coalesce(string_agg(relname || ' ' || pg_size_pretty(size), ', '"
                + " ORDER BY size DESC), 'none') FROM (SELECT c.relname, pg_total_relation_size(c.oid) AS size"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ?"
                + " AND c.relkind IN ('r','p','m') ORDER BY size DESC LIMIT 5) t", schema));
        out.add(step(c, "connections", "SELECT coalesce(string_agg(coalesce(state, 'background') || ' ' || n, ', '"
                + " ORDER BY n DESC), 'none') FROM (SELECT state, count(*) AS n FROM pg_stat_activity"
                + " WHERE datname = current_database() GROUP BY state) t"));
        out.add(step(c, "settings", "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name)"
                + " FROM pg_settings WHERE name IN ('max_connections', 'shared_buffers', 'work_mem',"
                + " 'statement_timeout', 'idle_in_transaction_session_timeout')"));
        return out;
    }

    private static OperationResult.Step step(Connection c, String name, String sql, String... args) throws SQLException {
        long t0 = System.nanoTime();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new OperationResult.Step(name, (System.nanoTime() - t0) / 1_000_000, rs.getString(1));
            }
        }
    }
}
