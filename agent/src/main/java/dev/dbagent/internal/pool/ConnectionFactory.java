package dev.dbagent.internal.pool;

import dev.dbagent.config.ConnectionSettings;
import dev.dbagent.config.DatabaseConfig;
import dev.dbagent.config.JdbcUrls;
import dev.dbagent.config.Pooler;
import dev.dbagent.config.ReplicaConfig;
import dev.dbagent.config.Secret;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * The one way dbagent opens a connection to PostgreSQL (DESIGN.md rule 8): pools, operations,
 * the audit trail and health probes all get their pgJDBC properties from here, so TLS
 * ({@code sslmode}, {@code sslrootcert}), the connect, login and socket timeouts, TCP keep-alive,
 * the application name and the schema search path are the same on every connection of a
 * database.
 *
 * <p>Timeouts are whole seconds for pgJDBC: a positive duration is rounded up (so 1500 ms waits
 * two seconds, never none), zero means none. Properties written into the URL itself win over
 * these, as pgJDBC gives URL parameters precedence.
 *
 * <p>Behind a transaction-mode pooler ({@link Pooler#TRANSACTION}, see {@link #sessionStateAllowed()})
 * the connections keep nothing on the server between transactions: {@code prepareThreshold=0}
 * and no statement cache (only unnamed statements), {@code readOnlyMode=transaction} (read-only
 * by {@code BEGIN READ ONLY}, never {@code SET SESSION CHARACTERISTICS}), and no
 * {@code currentSchema}, which pgJDBC sends as the {@code search_path} start-up parameter that
 * PgBouncer refuses.
 *
 * <p>The password is read at each connect from a {@link Credential} that this factory shares with
 * every factory derived from it ({@link #withUrl}, {@link #withSettings}, {@link #withIdentity}):
 * {@link #usePassword} after a rotation reaches them all.
 *
 * <p>Thread-safe; immutable but for that credential. {@link #open} blocks for at most the connect
 * and login timeouts. {@link #toString()} masks the URL and never shows the password.
 */
public final class ConnectionFactory {
    private static final Driver DRIVER = new org.postgresql.Driver();

    private final String database;
    private final String url;
    private final String user;
    private final Credential password;
    private final ConnectionSettings settings;
    private final String agent;
    private final String instance;

    /**
     * @param database the logical database name (for messages)
     * @param url the JDBC URL, {@code jdbc:postgresql://host:port/db}
     * @param user the user to log in as, or null to leave it to the URL
     * @param password the password, or null for none
     * @param settings the database's connection settings
     */
    public ConnectionFactory(String database, String url, String user, String password, ConnectionSettings settings) {
        this(database, url, user, Credential.of(password == null ? null : Secret.of(password)), settings, null, null);
    }

    /**
     * A factory whose password is read from {@code password} at each connect (operations take the
     * primary pool's, so that a rotation reaches them).
     *
     * @param database the logical database name (for messages)
     * @param url the JDBC URL
     * @param user the user, or null
     * @param password answers the password now, or null for none
     * @param settings the database's connection settings
     */
    public ConnectionFactory(String database, String url, String user, Supplier<String> password,
            ConnectionSettings settings) {
        this(database, url, user, Credential.supplied(Objects.requireNonNull(password, "password")), settings, null,
                null);
    }

    private ConnectionFactory(String database, String url, String user, Credential password, ConnectionSettings settings,
            String agent, String instance) {
        this.database = Objects.requireNonNull(database, "database");
        this.url = Objects.requireNonNull(url, "url");
        this.user = user;
        this.password = password;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.agent = agent;
        this.instance = instance;
    }

    /**
     * The same factory for the connections of one agent instance: {@link #applicationName}
     * then answers {@code dbagent/<agent>/<instance>/<db>/<role>}.
     *
     * @param agentName the agent name
     * @param instanceId the instance id
     * @return a new factory
     */
    public ConnectionFactory withIdentity(String agentName, String instanceId) {
        return new ConnectionFactory(database, url, user, password, settings, Objects.requireNonNull(agentName, "agent"),
                Objects.requireNonNull(instanceId, "instance"));
    }

    /**
     * @param role what the connection is for: {@code primary}, {@code replica-N}, {@code ops}, ...
     * @return the {@code application_name} for it: {@code dbagent/<agent>/<instance>/<db>/<role>}
     *     with an identity, {@code dbagent/<db>/<role>} without; at most 63 bytes
     */
    public String applicationName(String role) {
        return agent == null ? ApplicationNames.truncate("dbagent/" + database + "/" + role)
                : ApplicationNames.of(agent, instance, database, role);
    }

    /**
     * @param db a validated database configuration
     * @return the factory of its primary
     */
    public static ConnectionFactory primary(DatabaseConfig db) {
        return new ConnectionFactory(db.name(), db.url(), db.user().orElse(null),
                Credential.of(db.password().orElse(null)), db.connection(), null, null);
    }

    /**
     * @param db a validated database configuration
     * @param replica one of its replicas; user and password default to the primary's
     * @return the factory of that replica
     */
    public static ConnectionFactory replica(DatabaseConfig db, ReplicaConfig replica) {
        return new ConnectionFactory(db.name(), replica.url(), replica.user().or(db::user).orElse(null),
                Credential.of(replica.password().or(db::password).orElse(null)), db.connection(), null, null);
    }

    /**
     * The same server and settings, another URL (the maintenance database, say).
     *
     * @param otherUrl the URL to connect to instead
     * @return a new factory
     */
    public ConnectionFactory withUrl(String otherUrl) {
        return new ConnectionFactory(database, otherUrl, user, password, settings, agent, instance);
    }

    /**
     * The same server, other settings (a migration connection without a socket timeout, say).
     *
     * @param other the settings to use instead
     * @return a new factory
     */
    public ConnectionFactory withSettings(ConnectionSettings other) {
        return new ConnectionFactory(database, url, user, password, other, agent, instance);
    }

    /**
     * The driver properties every connection gets, without user and password (a pool sets
     * those itself).
     *
     * @param applicationName the {@code application_name} the server shows for the session
     * @return a fresh properties object the caller may add to
     */
    public Properties driverProperties(String applicationName) {
        Properties p = new Properties();
        p.setProperty("connectTimeout", seconds(settings.connectTimeout()));
        p.setProperty("loginTimeout", seconds(settings.loginTimeout()));
        p.setProperty("socketTimeout", seconds(settings.socketTimeout()));
        p.setProperty("tcpKeepAlive", Boolean.toString(settings.tcpKeepAlive()));
        p.setProperty("sslmode", settings.sslMode().value());
        settings.sslRootCert().ifPresent(ca -> p.setProperty("sslrootcert", ca.toString()));
        if (sessionStateAllowed()) {
            p.setProperty("currentSchema", settings.currentSchema());
        } else {
            // A transaction-mode pooler lends the server connection to other clients after each
            // transaction: a named server-side statement would be missing there (or clash with
            // theirs), and SET SESSION CHARACTERISTICS would leak into their transactions. The
            // search path is a startup parameter the pooler refuses (or ignores): the server's
            // setting for the role applies instead.
            p.setProperty("prepareThreshold", "0");
            p.setProperty("preparedStatementCacheQueries", "0");
            p.setProperty("readOnlyMode", "transaction");
        }
        p.setProperty("ApplicationName", ApplicationNames.truncate(Objects.requireNonNull(applicationName, "applicationName")));
        return p;
    }

    /**
     * Whether a connection of this factory keeps its session to itself between transactions:
     * false behind a transaction-mode pooler ({@link Pooler#TRANSACTION}), where only
     * transaction-scoped state is safe (no session read-only mode, no server-side prepared
     * statements, no session-level advisory locks).
     *
     * @return true when session state set on a connection stays with that connection
     */
    public boolean sessionStateAllowed() {
        return settings.pooler() == Pooler.NONE;
    }

    /**
     * Opens an unpooled connection with every setting of this database.
     *
     * @param applicationName the {@code application_name} the server shows for the session
     * @return a new connection; the caller closes it
     * @throws SQLException if it cannot be opened within the connect and login timeouts; the
     *     message names the database and the masked URL
     */
    public Connection open(String applicationName) throws SQLException {
        return open(applicationName, Map.of());
    }

    /**
     * Opens an unpooled connection with every setting of this database and some of the caller's.
     *
     * @param applicationName the {@code application_name} the server shows for the session
     * @param extra further pgJDBC properties, e.g. {@code preferQueryMode=simple}
     * @return a new connection; the caller closes it
     * @throws SQLException if it cannot be opened within the connect and login timeouts
     */
    public Connection open(String applicationName, Map<String, String> extra) throws SQLException {
        String secret = password.password();
        try {
            return connect(applicationName, extra, secret);
        } catch (SQLException e) {
            throw new SQLException("cannot connect to database '" + database + "' (" + maskedUrl() + "): "
                    + JdbcUrls.maskIn(e.getMessage(), url, secret), e.getSQLState(), Failures.masked(e, url, secret));
        }
    }

    /**
     * As {@link #open(String, Map)}, with the driver's own exception (for the pool, which words
     * and masks its failures itself).
     */
    Connection connect(String applicationName, Map<String, String> extra) throws SQLException {
        return connect(applicationName, extra, password.password());
    }

    private Connection connect(String applicationName, Map<String, String> extra, String secret) throws SQLException {
        Properties p = driverProperties(applicationName);
        extra.forEach(p::setProperty);
        if (user != null) {
            p.setProperty("user", user);
        }
        if (secret != null) {
            p.setProperty("password", secret);
        }
        Connection c = DRIVER.connect(url, p);
        if (c == null) {
            // pgJDBC answers null for a URL it does not accept; config validation normally refuses those first
            throw new SQLException("cannot connect to database '" + database + "': pgJDBC does not accept the URL "
                    + maskedUrl(), "08001");
        }
        return c;
    }

    /** @return the logical database name */
    public String database() {
        return database;
    }

    /** @return the JDBC URL; contains whatever credentials the configuration wrote into it */
    public String url() {
        return url;
    }

    /** @return the user, or null */
    public String user() {
        return user;
    }

    /** @return the password now, or null; never log it */
    public String password() {
        return password.password();
    }

    /**
     * @return where the password comes from: {@code env:NAME}, {@code file:PATH}, {@code literal},
     *     {@code supplied} or {@code none}; never the value
     */
    public String passwordSource() {
        return password.source();
    }

    /**
     * Reads the password again from its {@code env:}/{@code file:} source; changes nothing.
     *
     * @return the current secret of the source; empty if this factory has no password
     * @throws IllegalStateException if the password is literal or supplied, or the source cannot
     *     be read; the message never contains a value
     */
    public Optional<Secret> rereadPassword() {
        return password.reread();
    }

    /**
     * The same factory with a fixed password, sharing nothing: to try a new password before
     * {@link #usePassword} makes every connection use it.
     *
     * @param secret the password to try
     * @return a new factory
     */
    public ConnectionFactory withPassword(Secret secret) {
        return new ConnectionFactory(database, url, user, Credential.of(secret), settings, agent, instance);
    }

    /**
     * Makes every connection opened from now on by this factory and every factory derived from
     * it log in with {@code secret}. Open connections are not touched.
     *
     * @param secret the new password
     */
    public void usePassword(Secret secret) {
        password.use(Objects.requireNonNull(secret, "secret"));
    }

    /** @return the connection settings */
    public ConnectionSettings settings() {
        return settings;
    }

    /** @return the URL with credentials masked */
    public String maskedUrl() {
        return JdbcUrls.mask(url);
    }

    /** Whole seconds for pgJDBC, rounded up; zero stays zero (none). */
    static String seconds(Duration d) {
        if (d.isZero() || d.isNegative()) {
            return "0";
        }
        long s = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
        return Long.toString(Math.max(1, s));
    }

    @Override
    public String toString() {
        return "ConnectionFactory[" + database + ", " + maskedUrl() + (user == null ? "" : " as " + user)
                + ", sslmode=" + settings.sslMode() + "]";
    }
}
