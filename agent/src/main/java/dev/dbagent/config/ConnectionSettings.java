package dev.dbagent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

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
 * @param sslRootCert PEM file of the certificate authorities that verify the server's certificate
 *     ({@code sslrootcert}); empty = pgJDBC's default {@code ~/.postgresql/root.crt}
 * @param pooler what the URL points at: the server, or a transaction-mode pooler ({@code pooler})
 */
public record ConnectionSettings(Duration connectTimeout, Duration socketTimeout, Duration loginTimeout,
        boolean tcpKeepAlive, SslMode sslMode, String currentSchema, Optional<Path> sslRootCert, Pooler pooler) {
    /**
     * Creates the value; validation of ranges is done by the config loader, not here.
     *
     * @param connectTimeout TCP connect timeout ({@code connectTimeoutSeconds})
     * @param socketTimeout read timeout on the socket, zero = none ({@code socketTimeoutSeconds})
     * @param loginTimeout time allowed for connecting and authenticating ({@code loginTimeoutSeconds})
     * @param tcpKeepAlive enable TCP keep-alive ({@code tcpKeepAlive})
     * @param sslMode pgJDBC sslmode ({@code sslmode})
     * @param currentSchema the schema search path set on each connection ({@code currentSchema})
     * @param sslRootCert PEM file of the trusted certificate authorities ({@code sslrootcert})
     * @param pooler what the URL points at ({@code pooler})
     * @throws NullPointerException if a reference component is null
     */
    public ConnectionSettings {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(socketTimeout, "socketTimeout");
        Objects.requireNonNull(loginTimeout, "loginTimeout");
        Objects.requireNonNull(sslMode, "sslMode");
        Objects.requireNonNull(currentSchema, "currentSchema");
        Objects.requireNonNull(sslRootCert, "sslRootCert");
        Objects.requireNonNull(pooler, "pooler");
    }

    /**
     * Settings for a URL that is the server itself (no transaction-mode pooler).
     *
     * @param connectTimeout TCP connect timeout, zero = none
     * @param socketTimeout read timeout on the socket, zero = none
     * @param loginTimeout time allowed for connecting and authenticating, zero = none
     * @param tcpKeepAlive enable TCP keep-alive
     * @param sslMode pgJDBC sslmode
     * @param currentSchema the schema search path set on each connection
     * @param sslRootCert PEM file of the trusted certificate authorities, empty for pgJDBC's default
     */
    public ConnectionSettings(Duration connectTimeout, Duration socketTimeout, Duration loginTimeout,
                              boolean tcpKeepAlive, SslMode sslMode, String currentSchema, Optional<Path> sslRootCert) {
        this(connectTimeout, socketTimeout, loginTimeout, tcpKeepAlive, sslMode, currentSchema, sslRootCert,
                Pooler.NONE);
    }

    /**
     * Settings without a CA file of their own.
     *
     * @param connectTimeout TCP connect timeout, zero = none
     * @param socketTimeout read timeout on the socket, zero = none
     * @param loginTimeout time allowed for connecting and authenticating, zero = none
     * @param tcpKeepAlive enable TCP keep-alive
     * @param sslMode pgJDBC sslmode
     * @param currentSchema the schema search path set on each connection
     */
    public ConnectionSettings(Duration connectTimeout, Duration socketTimeout, Duration loginTimeout,
                              boolean tcpKeepAlive, SslMode sslMode, String currentSchema) {
        this(connectTimeout, socketTimeout, loginTimeout, tcpKeepAlive, sslMode, currentSchema, Optional.empty());
    }

    /**
     * @param value a CA file, or null for none
     * @return a copy with that {@code sslrootcert}
     */
    public ConnectionSettings withSslRootCert(Path value) {
        return new ConnectionSettings(connectTimeout, socketTimeout, loginTimeout, tcpKeepAlive, sslMode,
                currentSchema, Optional.ofNullable(value), pooler);
    }

    /**
     * @param value the new socket timeout, zero = none
     * @return a copy with that socket timeout
     */
    public ConnectionSettings withSocketTimeout(Duration value) {
        return new ConnectionSettings(connectTimeout, value, loginTimeout, tcpKeepAlive, sslMode, currentSchema,
                sslRootCert, pooler);
    }

    /**
     * @param value what the URL points at
     * @return a copy with that pooler; {@link Pooler#NONE} for a direct connection to the server
     */
    public ConnectionSettings withPooler(Pooler value) {
        return new ConnectionSettings(connectTimeout, socketTimeout, loginTimeout, tcpKeepAlive, sslMode, currentSchema,
                sslRootCert, value);
    }
}
