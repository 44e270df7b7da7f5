package dev.dbagent.config;

import java.time.Duration;
import java.util.Objects;

/**
 * pgJDBC connection parameters for one database (primary and replicas). Keys
 * {@code dbagent.db.<name>.connectTimeoutSeconds} etc.
 *
 * <p>Immutable and thread-safe.
 *
 * @param connectTimeout TCP connect timeout ({@code connectTimeoutSeconds})
 * @param socketTimeout read timeout on the socket, zero = none ({@code socketTimeoutSeconds})
 * @param loginTimeout time allowed for connecting and authenticating ({@code loginTimeoutSeconds})
 * @param tcpKeepAlive enable TCP keep-alive ({@code tcpKeepAlive})
 * @param sslMode pgJDBC sslmode ({@code sslmode})
 * @param currentSchema the schema search path set on each connection ({@code currentSchema})
 */
public record ConnectionSettings(Duration connectTimeout, Duration socketTimeout, Duration loginTimeout,
        boolean tcpKeepAlive, SslMode sslMode, String currentSchema) {
    /**
     * Creates the value; validation of ranges is done by the config loader, not here.
     *
     * @param connectTimeout TCP connect timeout ({@code connectTimeoutSeconds})
     * @param socketTimeout read timeout on the socket, zero = none ({@code socketTimeoutSeconds})
     * @param loginTimeout time allowed for connecting and authenticating ({@code loginTimeoutSeconds})
     * @param tcpKeepAlive enable TCP keep-alive ({@code tcpKeepAlive})
     * @param sslMode pgJDBC sslmode ({@code sslmode})
     * @param currentSchema the schema search path set on each connection ({@code currentSchema})
     * @throws NullPointerException if a reference component is null
     */
    public ConnectionSettings {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(socketTimeout, "socketTimeout");
        Objects.requireNonNull(loginTimeout, "loginTimeout");
        Objects.requireNonNull(sslMode, "sslMode");
        Objects.requireNonNull(currentSchema, "currentSchema");
    }
}
