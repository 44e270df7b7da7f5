package dev.dbagent.ops;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The migration lock: a PostgreSQL session-level advisory lock held on a dedicated connection for
 * the whole migration. If the migrating process dies, its sessions end and the server releases
 * the lock - it cannot get stuck. Liquibase's own DATABASECHANGELOGLOCK row is only a leftover
 * from such a death: whoever holds the advisory lock clears it (only advisory-lock holders
 * migrate).
 */
final class MigrationLock implements AutoCloseable {
    private final Connection connection;
    private final int key;

    private MigrationLock(Connection connection, int key) {
        this.connection = connection;
        this.key = key;
    }

    /** The second half of the advisory key: the first four bytes of SHA-256 of the schema name. */
    static int keyFor(String schema) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(schema.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(h, 0, 4).getInt();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Blocks until the lock is held or {@code timeout} passes.
     *
     * @throws SQLException on timeout (SQLSTATE 55P03) or connection failure
     */
    static MigrationLock acquire(Coordinates coordinates, String schema, Duration timeout) throws SQLException {
        Connection c = coordinates.openLongRunning("migration-lock");
        try {
            int key = keyFor(schema);
            Sql.exec(c, "SET lock_timeout = " + Math.max(1, timeout.toMillis()));
            Sql.exec(c, "SELECT pg_advisory_lock(" + AgentSchema.LOCK_CLASS + ", " + key + ")");
            Sql.exec(c, "SET lock_timeout = 0");
            return new MigrationLock(c, key);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    /** Releases the lock and closes its connection; a dead connection has released it already. */
    @Override
    public void close() throws SQLException {
        try (connection) {
            Sql.exec(connection, "SELECT pg_advisory_unlock(" + AgentSchema.LOCK_CLASS + ", " + key + ")");
        }
    }

    /** A session holding (or waiting for) the migration lock. */
    record Holder(int pid, String applicationName, String user, String clientAddress, String backendStart,
                  String state, String query, boolean granted) {
        String describe() {
            return "pid " + pid + " (" + (applicationName == null || applicationName.isEmpty() ? "no application name"
                    : applicationName) + ", user " + user + (clientAddress == null ? "" : ", from " + clientAddress)
                    + ", connected " + backendStart + ", " + state + ")" + (granted ? "" : " waiting");
        }
    }

    /** Every session holding or waiting for the advisory migration lock of {@code schema}. */
    static List<Holder> holders(Connection c, String schema) throws SQLException {
        List<Holder> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.pid, a.application_name, a.usename,"
                + " host(a.client_addr), a.backend_start::text, a.state, left(a.query, 200), l.granted"
                + " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                + " WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                + " AND l.classid = ?::bigint::oid AND l.objid = ?::bigint::oid AND l.objsubid = 2"
                + " ORDER BY l.granted DESC, a.pid")) {
            ps.setLong(1, Integer.toUnsignedLong(AgentSchema.LOCK_CLASS));
            ps.setLong(2, Integer.toUnsignedLong(keyFor(schema)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Holder(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getBoolean(8)));
                }
            }
        }
        return out;
    }

    /** Liquibase's lock row, if its table exists and the row says locked. */
    record LiquibaseLock(String lockedBy, String granted) {
        String describe() {
            return "Liquibase DATABASECHANGELOGLOCK held by " + lockedBy + " since " + granted;
        }
    }

    static Optional<LiquibaseLock> liquibaseLock(Connection c, String schema) throws SQLException {
        if (!Sql.tableExists(c, schema, "databasechangeloglock")) {
            return Optional.empty();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT lockedby, lockgranted::text FROM "
                + Sql.ident(schema) + ".databasechangeloglock WHERE locked")) {
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new LiquibaseLock(rs.getString(1), rs.getString(2))) : Optional.empty();
            }
        }
    }

    /** Clears Liquibase's lock row; only call while holding the advisory lock or when nobody holds it. */
    static Optional<LiquibaseLock> clearLiquibaseLock(Connection c, String schema) throws SQLException {
        Optional<LiquibaseLock> held = liquibaseLock(c, schema);
        if (held.isPresent()) {
            Sql.exec(c, "UPDATE " + Sql.ident(schema) + ".databasechangeloglock"
                    + " SET locked = FALSE, lockgranted = NULL, lockedby = NULL WHERE locked");
        }
        return held;
    }
}
