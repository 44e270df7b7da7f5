package dev.dbagent.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Small JDBC conveniences shared by the operations. */
final class Sql {
    private Sql() {
    }

    /** Quotes a PostgreSQL identifier. */
    static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static boolean exists(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static boolean schemaExists(Connection c, String schema) throws SQLException {
        return exists(c, "SELECT 1 FROM pg_namespace WHERE nspname = ?", schema);
    }

    static boolean tableExists(Connection c, String schema, String table) throws SQLException {
        return exists(c, "SELECT 1 FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace"
                + " WHERE n.nspname = ? AND r.relname = ?", schema, table);
    }

    /** The message of the innermost SQL error with its SQLSTATE, or the root cause's message. */
    static String describe(Throwable t) {
        SQLException sql = null;
        Throwable root = t;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException e) {
                sql = e;
            }
            root = c;
        }
        if (sql != null) {
            String msg = sql.getMessage() == null ? sql.toString() : sql.getMessage().strip();
            return msg + (sql.getSQLState() == null ? "" : " [SQLSTATE " + sql.getSQLState() + "]");
        }
        return root.getMessage() == null ? root.toString() : root.getMessage().strip();
    }
}
