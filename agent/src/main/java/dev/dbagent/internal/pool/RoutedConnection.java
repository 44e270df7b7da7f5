package dev.dbagent.internal.pool;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A borrowed connection and where it came from.
 *
 * @param connection the pooled connection; {@link #close()} returns it
 * @param database logical database name
 * @param role {@code primary} or {@code replica-N}
 */
public record RoutedConnection(Connection connection, String database, String role) implements AutoCloseable {
    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
