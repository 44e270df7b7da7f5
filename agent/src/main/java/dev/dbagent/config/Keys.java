package dev.dbagent.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The registry of every configuration key: its kind, range, default per environment and
 * description. The single source for parsing, unknown-key detection, environment-variable
 * mapping and the reference documentation.
 */
final class Keys {
    static final String PREFIX = "dbagent.";
    static final String DB_PREFIX = "dbagent.db.";
    static final String ENVIRONMENT = "dbagent.environment";
    static final String ENV_VAR_PREFIX = "DBAGENT_";

    enum Kind { INT, MILLIS, SECONDS, BOOL, STRING, PATH, SECRET, URL, CHOICE }

    /**
     * @param name full key for agent keys, suffix after {@code dbagent.db.<name>.} for database
     *     keys, suffix after {@code replicas.<i>.} for replica keys
     * @param defaults one per {@link Environment} ordinal; null = no default
     */
    record Def(String name, Kind kind, long min, long max, List<String> choices, List<String> defaults,
            String description) {
        String defaultFor(Environment env) {
            return defaults.get(env.ordinal());
        }

    }

    /** Where a key points once parsed. */
    sealed interface Ref permits AgentRef, DbRef, ReplicaRef, Unknown {}

    record AgentRef(Def def) implements Ref {}

    record DbRef(String db, Def def) implements Ref {}

    record ReplicaRef(String db, int index, Def def) implements Ref {}

    record Unknown() implements Ref {}

    private static final List<String> NONE = Arrays.asList(null, null, null, null);

    static final List<Def> AGENT = List.of(
            str("dbagent.name", all("dbagent"), "Agent name; part of every ObjectName (agent=<name>). Must match [A-Za-z0-9][A-Za-z0-9._-]*."),
            str("dbagent.instance", NONE, "This instance's id among the application's copies; part of every connection's"
                    + " application_name (dbagent/<agent>/<instance>/<db>/<role>), of audit rows and notifications."
                    + " Default <host>:<pid>. Printable ASCII, at most 40 characters, no '/' or white space."),
            integer("dbagent.fleet.expectedInstances", 1, 10_000, all("1"), "How many instances of this agent the"
                    + " cluster is sized for; the connection-budget health check multiplies the pool maxima by it."),
            choice(ENVIRONMENT, List.of("development", "test", "staging", "production"), NONE,
                    "Deployment environment; selects the defaults and the safety rules. Required."),
            seconds("dbagent.health.intervalSeconds", 1, 3600, env("30", "10", "15", "15"), "How often health checks run."),
            seconds("dbagent.health.longTransactionSeconds", 1, 86_400, env("60", "60", "300", "300"),
                    "A transaction open longer than this is reported as an issue."),
            seconds("dbagent.health.idleInTransactionSeconds", 1, 86_400, env("30", "30", "60", "60"),
                    "A session idle in transaction longer than this is reported as an issue."),
            integer("dbagent.health.saturationPercent", 1, 100, all("80"),
                    "Pool use (active / maxTotal) at or above this percentage is reported."),
            bool("dbagent.ops.resetEnabled", env("true", "true", "false", "false"),
                    "Whether reset may run at all. Cannot be true in staging or production."),
            seconds("dbagent.ops.resetTokenTtlSeconds", 1, 3600, all("60"),
                    "Lifetime of a prepareReset or prepareRollback confirmation token."),
            bool("dbagent.ops.repairChecksumsInProduction", all("false"),
                    "Whether repairChecksums may run in production (it always may elsewhere)."),
            bool("dbagent.jmx.remote.enabled", all("false"), "Start a remote JMX (RMI) connector."),
            str("dbagent.jmx.remote.host", all("127.0.0.1"), "Address the remote JMX connector binds to."),
            integer("dbagent.jmx.remote.port", 0, 65_535, all("9010"), "Remote JMX port (RMI registry and server); 0 = any free port."),
            bool("dbagent.jmx.remote.auth", env("false", "false", "true", "true"),
                    "Require authentication for remote JMX. Must be true in staging and production when enabled."),
            path("dbagent.jmx.remote.passwordFile", "JMX password file. Required when auth is true."),
            path("dbagent.jmx.remote.accessFile", "JMX access file: '<user> readonly|readwrite' (monitor|operator). Required when auth is true."),
            bool("dbagent.jmx.remote.ssl", all("false"), "Use TLS for remote JMX (keystore from javax.net.ssl.* properties)."),
            bool("dbagent.jolokia.enabled", all("false"), "Start the Jolokia HTTP bridge."),
            str("dbagent.jolokia.host", all("127.0.0.1"), "Address Jolokia binds to."),
            integer("dbagent.jolokia.port", 0, 65_535, all("8778"), "Jolokia HTTP port; 0 = any free port."),
            bool("dbagent.jolokia.auth", env("false", "false", "true", "true"),
                    "Require HTTP basic authentication for Jolokia. Must be true in staging and production when enabled."),
            str("dbagent.jolokia.user", NONE, "Jolokia user. Required when auth is true."),
            secret("dbagent.jolokia.password", "Jolokia password (secret). Required when auth is true."),
            path("dbagent.jolokia.policyFile", "Jolokia access policy XML (network and CORS). Required in staging and production."),
            integer("dbagent.jolokia.threads", 2, 64, all("8"), "Threads serving Jolokia requests; a slow request holds one."),
            integer("dbagent.jolokia.maxBodyBytes", 1024, 16_777_216, all("65536"),
                    "Largest request body Jolokia accepts; a larger one is refused (413) before it is read."),
            integer("dbagent.jolokia.requestTimeoutSeconds", 1, 3600, all("30"),
                    "Longest time a client may take to send a request or receive a response (JDK HTTP server, JVM-wide)."),
            bool("dbagent.jolokia.ssl", all("false"), "Serve Jolokia over https; needs keystore and keystorePassword."),
            path("dbagent.jolokia.keystore", "Key store (PKCS12 or JKS) with Jolokia's certificate and key. Required when ssl is true."),
            secret("dbagent.jolokia.keystorePassword", "Password of dbagent.jolokia.keystore (secret). Required when ssl is true."),
            bool("dbagent.http.enabled", all("false"),
                    "Start the management HTTP endpoint: /health/live, /health/ready and /metrics (Prometheus)."),
            str("dbagent.http.host", all("127.0.0.1"), "Address the management HTTP endpoint binds to."),
            integer("dbagent.http.port", 0, 65_535, all("9464"), "Management HTTP port; 0 = any free port."),
            bool("dbagent.http.auth", env("false", "false", "true", "true"),
                    "Require HTTP basic authentication for /metrics (the probes never need it). Must be true in"
                            + " staging and production when enabled."),
            str("dbagent.http.user", NONE, "User for /metrics. Required when auth is true."),
            secret("dbagent.http.password", "Password for /metrics (secret). Required when auth is true."),
            bool("dbagent.http.readyWhenDegraded", all("true"),
                    "Whether /health/ready answers 200 while health is DEGRADED (DOWN is never ready)."),
            integer("dbagent.http.threads", 1, 64, all("2"), "Threads serving requests; more requests wait in a short queue."),
            millis("dbagent.http.requestTimeoutMillis", 100, 60_000, all("5000"),
                    "Longest time a client may take to send its request (TLS handshake and headers included)."),
            path("dbagent.http.tls.keystore", "Keystore with the endpoint's key and certificate: serve https."
                    + " Needs dbagent.http.tls.keystorePassword."),
            secret("dbagent.http.tls.keystorePassword", "Password of the keystore and its key (secret)."
                    + " Needs dbagent.http.tls.keystore."),
            choice("dbagent.http.tls.keystoreType", List.of("pkcs12", "jks"), all("pkcs12"), "Keystore type."));

    private static final List<Def> BREAKER_SHARED = List.of(
            integer("breaker.failureRateThreshold", 1, 100, all("50"), "Failure percentage at which a breaker opens."),
            integer("breaker.minimumCalls", 1, 10_000, env("5", "5", "20", "20"), "Calls recorded before the failure rate is evaluated."),
            integer("breaker.slidingWindowSize", 1, 10_000, env("20", "20", "100", "100"), "Calls the failure rate is computed over."),
            millis("breaker.waitOpenMillis", 1, 3_600_000, env("5000", "2000", "30000", "30000"),
                    "How long an open breaker waits before letting trial calls through."),
            integer("breaker.halfOpenCalls", 1, 1000, env("2", "2", "5", "5"), "Trial calls permitted while half-open."),
            millis("breaker.slowCallMillis", 1, 3_600_000, env("5000", "5000", "10000", "10000"), "A call slower than this counts as slow."));

    static final List<Def> DATABASE;

    static final List<Def> REPLICA = List.of(
            url("url", "Replica JDBC URL (jdbc:postgresql://...)."),
            str("user", NONE, "Replica user; defaults to the primary's."),
            secret("password", "Replica password (secret); defaults to the primary's."));

    static {
        List<Def> db = new ArrayList<>(List.of(
                url("url", "Primary JDBC URL; must start with jdbc:postgresql://. Required."),
                str("user", NONE, "User to connect as."),
                secret("password", "Password (secret: literal, env:VAR or file:/path)."),
                integer("pool.maxTotal", 1, 1000, env("5", "5", "15", "20"), "Most connections open at once (per pool)."),
                integer("pool.minIdle", 0, 1000, env("0", "0", "2", "5"), "Idle connections kept open; at most pool.maxTotal."),
                millis("pool.maxWaitMillis", 1, 600_000, env("5000", "2000", "5000", "5000"),
                        "How long a borrower waits for a connection before the pool is exhausted."),
                seconds("pool.validationTimeoutSeconds", 1, 60, env("3", "3", "5", "5"), "Timeout of the connection validation query."),
                millis("pool.timeBetweenEvictionRunsMillis", 0, 3_600_000, all("30000"), "Idle evictor period; 0 = evictor off."),
                millis("pool.minEvictableIdleMillis", 1000, 86_400_000, env("60000", "60000", "300000", "300000"),
                        "An idle connection older than this may be evicted."),
                millis("pool.maxConnLifetimeMillis", 0, 86_400_000, all("1800000"), "Longest life of a connection; 0 = unlimited."),
                integer("pool.statementCacheSize", 0, 10_000, env("0", "0", "50", "50"), "Prepared statements cached per connection; 0 = off."),
                seconds("pool.abandonedTimeoutSeconds", 0, 86_400, env("60", "60", "0", "0"),
                        "A borrowed connection unused this long is reclaimed; 0 = off."),
                bool("pool.logAbandoned", env("true", "true", "false", "false"), "Log the borrower's stack trace for abandoned connections."),
                seconds("connectTimeoutSeconds", 1, 300, env("5", "5", "10", "10"), "TCP connect timeout."),
                seconds("socketTimeoutSeconds", 0, 3600, env("30", "30", "60", "60"), "Socket read timeout; 0 = none."),
                seconds("loginTimeoutSeconds", 1, 300, env("5", "5", "10", "10"), "Time allowed to connect and authenticate."),
                bool("tcpKeepAlive", all("true"), "Enable TCP keep-alive."),
                choice("sslmode", List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
                        env("prefer", "prefer", "require", "require"), "pgJDBC sslmode."),
                path("sslrootcert", "PEM file of the certificate authorities that verify the server (sslmode verify-ca"
                        + " or verify-full); default pgJDBC's ~/.postgresql/root.crt. Must be a readable file."),
                str("currentSchema", all("public"), "Schema search path for each connection, and the schema the changelog"
                        + " is applied into: an SQL identifier (letters, digits, _ and $, not starting with a digit)."),
                choice("pooler", List.of("none", "transaction"), all("none"), "What url (and every replica url) points at:"
                        + " none = the server (or a session-mode pooler); transaction = a transaction-mode pooler such as"
                        + " PgBouncer with pool_mode=transaction. With transaction: no server-side prepared statements"
                        + " (prepareThreshold=0, pool.statementCacheSize ignored), reads read-only per transaction"
                        + " (BEGIN READ ONLY) instead of per session, no search_path startup parameter (set it on the"
                        + " server for the role), and directUrl is required."),
                url("directUrl", "The server itself, bypassing the pooler on url (jdbc:postgresql://...): operations,"
                        + " the migration lock and the audit trail connect here, with the same user and password."
                        + " Required when pooler=transaction; default url."),
                millis("replica.maxLagMillis", 0, 3_600_000, env("10000", "10000", "5000", "5000"),
                        "A replica lagging more than this is not used for reads."),
                millis("readYourWritesMillis", 0, 600_000, all("2000"),
                        "After a write, the caller's reads go to the primary for this long; 0 = off."),
                choice("replica.balance", List.of("round-robin", "least-busy"), all("round-robin"),
                        "How reads are spread over healthy replicas.")));
        db.addAll(BREAKER_SHARED);
        for (String layer : List.of("pool", "service")) {
            for (Def shared : BREAKER_SHARED) {
                String setting = shared.name().substring("breaker.".length());
                db.add(new Def("breaker." + layer + "." + setting, shared.kind(), shared.min(), shared.max(), List.of(),
                        NONE, "Overrides " + shared.name() + " for the " + layer + "-layer breaker."));
            }
        }
        db.addAll(List.of(
                integer("retry.maxAttempts", 1, 20, all("3"), "Attempts including the first; 1 = no retry."),
                millis("retry.initialBackoffMillis", 1, 60_000, env("100", "50", "200", "200"), "Wait before the second attempt."),
                millis("retry.maxBackoffMillis", 1, 600_000, env("1000", "500", "2000", "2000"),
                        "Longest single wait; at least retry.initialBackoffMillis."),
                millis("retry.maxTotalMillis", 1, 3_600_000, env("5000", "2000", "10000", "10000"),
                        "No retry starts later than this after the first attempt."),
                millis("slowQueryMillis", 1, 3_600_000, env("500", "500", "1000", "1000"), "A call slower than this is a slow query."),
                integer("slowQueryBuffer", 1, 100_000, env("100", "100", "500", "500"), "Slow queries kept in the ring buffer."),
                str("migrate.changelog", NONE, "The database's Liquibase changelog (classpath resource). Without one (and"
                        + " without a catalogue given in code), schema operations are refused."),
                str("migrate.referenceContexts", all(""), "Comma-separated Liquibase contexts of reference-data changesets:"
                        + " init and reset load them, migrate leaves them out."),
                bool("migrate.onStart", env("true", "true", "false", "false"),
                        "Apply pending changesets when the agent starts (only where a catalogue is configured)."),
                seconds("migrate.lockWaitSeconds", 1, 86_400, all("300"),
                        "How long a migration waits for another instance's migration to finish."),
                str("verify.daos", all(""), "Comma-separated Jdbi SQL-object interfaces whose statements verify prepares.")));
        DATABASE = List.copyOf(db);
    }

    private static final Map<String, Def> AGENT_BY_LOWER = index(AGENT);
    private static final Map<String, Def> DB_BY_LOWER = index(DATABASE);
    private static final Map<String, Def> REPLICA_BY_LOWER = index(REPLICA);
    private static final Pattern REPLICA_SUFFIX = Pattern.compile("replicas\\.(\\d{1,4})\\.([^.]+)");
    private static final Pattern REPLICA_ENV = Pattern.compile("(.+)_REPLICAS_(\\d{1,4})_([A-Z]+)");
    private static final int MAX_SUGGESTION_DISTANCE = 3;

    private Keys() {
    }

    static Def db(String suffix) {
        return DB_BY_LOWER.get(suffix.toLowerCase(Locale.ROOT));
    }

    static Def replica(String suffix) {
        return REPLICA_BY_LOWER.get(suffix.toLowerCase(Locale.ROOT));
    }

    static String dbKey(String db, String suffix) {
        return DB_PREFIX + db + "." + suffix;
    }

    static String replicaKey(String db, int index, String suffix) {
        return DB_PREFIX + db + ".replicas." + index + "." + suffix;
    }

    /** Resolves a key case-insensitively; database names keep the spelling they were given. */
    static Ref parse(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        Def agent = AGENT_BY_LOWER.get(lower);
        if (agent != null) {
            return new AgentRef(agent);
        }
        if (!lower.startsWith(DB_PREFIX)) {
            return new Unknown();
        }
        String rest = key.substring(DB_PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot <= 0) {
            return new Unknown();
        }
        String db = rest.substring(0, dot);
        String suffix = rest.substring(dot + 1);
        Def def = db(suffix);
        if (def != null) {
            return new DbRef(db, def);
        }
        Matcher m = REPLICA_SUFFIX.matcher(suffix.toLowerCase(Locale.ROOT));
        if (m.matches() && replica(m.group(2)) != null) {
            return new ReplicaRef(db, Integer.parseInt(m.group(1)), replica(m.group(2)));
        }
        return new Unknown();
    }

    /** @return the canonical spelling of a known key, e.g. {@code pool.maxtotal} becomes {@code pool.maxTotal} */
    static String canonical(Ref ref) {
        if (ref instanceof AgentRef a) {
            return a.def().name();
        }
        if (ref instanceof DbRef d) {
            return dbKey(d.db(), d.def().name());
        }
        if (ref instanceof ReplicaRef r) {
            return replicaKey(r.db(), r.index(), r.def().name());
        }
        throw new IllegalArgumentException("unknown key");
    }

    /** @return the nearest valid key within a small edit distance, if any */
    static Optional<String> suggest(String key) {
        List<String> candidates = new ArrayList<>();
        AGENT.forEach(d -> candidates.add(d.name()));
        String lower = key.toLowerCase(Locale.ROOT);
        if (lower.startsWith(DB_PREFIX)) {
            String rest = key.substring(DB_PREFIX.length());
            int dot = rest.indexOf('.');
            String db = dot > 0 ? rest.substring(0, dot) : rest;
            Matcher idx = Pattern.compile("\\.replicas?\\.(\\d{1,4})\\.").matcher(lower);
            int index = idx.find() ? Integer.parseInt(idx.group(1)) : 0;
            DATABASE.forEach(d -> candidates.add(dbKey(db, d.name())));
            REPLICA.forEach(d -> candidates.add(replicaKey(db, index, d.name())));
        }
        return nearest(key, candidates);
    }

    /** @return the environment variable a key maps to, e.g. {@code DBAGENT_DB_MAIN_POOL_MAXTOTAL} */
    static String envVarFor(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /**
     * Maps a {@code DBAGENT_*} environment variable to a key: {@code DBAGENT_JMX_REMOTE_PORT} is
     * {@code dbagent.jmx.remote.port}, {@code DBAGENT_DB_MAIN_POOL_MAXTOTAL} is
     * {@code dbagent.db.main.pool.maxTotal} (database names become lower case; underscores in
     * them are kept), {@code DBAGENT_DB_MAIN_REPLICAS_0_URL} is {@code dbagent.db.main.replicas.0.url}.
     */
    static Optional<String> keyForEnvVar(String var) {
        String upper = var.toUpperCase(Locale.ROOT);
        for (Def d : AGENT) {
            if (envVarFor(d.name()).equals(upper)) {
                return Optional.of(d.name());
            }
        }
        String dbPrefix = envVarFor(DB_PREFIX);
        if (!upper.startsWith(dbPrefix)) {
            return Optional.empty();
        }
        String rest = upper.substring(dbPrefix.length());
        Matcher m = REPLICA_ENV.matcher(rest);
        if (m.matches() && replica(m.group(3)) != null) {
            return Optional.of(replicaKey(m.group(1).toLowerCase(Locale.ROOT), Integer.parseInt(m.group(2)),
                    replica(m.group(3)).name()));
        }
        List<Def> bySuffixLength = new ArrayList<>(DATABASE);
        bySuffixLength.sort(Comparator.comparingInt((Def d) -> d.name().length()).reversed());
        for (Def d : bySuffixLength) {
            String suffix = "_" + envVarFor(d.name());
            if (rest.endsWith(suffix) && rest.length() > suffix.length()) {
                String db = rest.substring(0, rest.length() - suffix.length()).toLowerCase(Locale.ROOT);
                return Optional.of(dbKey(db, d.name()));
            }
        }
        return Optional.empty();
    }

    /** @return the nearest valid environment variable name within a small edit distance, if any */
    static Optional<String> suggestEnvVar(String var) {
        List<String> candidates = new ArrayList<>();
        AGENT.forEach(d -> candidates.add(envVarFor(d.name())));
        String dbPrefix = envVarFor(DB_PREFIX);
        String upper = var.toUpperCase(Locale.ROOT);
        if (upper.startsWith(dbPrefix)) {
            String rest = upper.substring(dbPrefix.length());
            // The database name is unknown here: try every split point of the remainder.
            for (int i = rest.indexOf('_'); i > 0; i = rest.indexOf('_', i + 1)) {
                String db = rest.substring(0, i);
                DATABASE.forEach(d -> candidates.add(dbPrefix + db + "_" + envVarFor(d.name())));
            }
        }
        return nearest(var, candidates);
    }

    private static Optional<String> nearest(String word, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String lower = word.toLowerCase(Locale.ROOT);
        for (String c : candidates) {
            int d = distance(lower, c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return bestDistance <= MAX_SUGGESTION_DISTANCE ? Optional.ofNullable(best) : Optional.empty();
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static Map<String, Def> index(List<Def> defs) {
        Map<String, Def> m = new LinkedHashMap<>();
        defs.forEach(d -> m.put(d.name().toLowerCase(Locale.ROOT), d));
        return Map.copyOf(m);
    }

    private static List<String> all(String v) {
        return List.of(v, v, v, v);
    }

    private static List<String> env(String dev, String test, String staging, String prod) {
        return List.of(dev, test, staging, prod);
    }

    private static Def integer(String name, long min, long max, List<String> defaults, String description) {
        return new Def(name, Kind.INT, min, max, List.of(), defaults, description);
    }

    private static Def millis(String name, long min, long max, List<String> defaults, String description) {
        return new Def(name, Kind.MILLIS, min, max, List.of(), defaults, description);
    }

    private static Def seconds(String name, long min, long max, List<String> defaults, String description) {
        return new Def(name, Kind.SECONDS, min, max, List.of(), defaults, description);
    }

    private static Def bool(String name, List<String> defaults, String description) {
        return new Def(name, Kind.BOOL, 0, 0, List.of(), defaults, description);
    }

    private static Def str(String name, List<String> defaults, String description) {
        return new Def(name, Kind.STRING, 0, 0, List.of(), defaults, description);
    }

    private static Def path(String name, String description) {
        return new Def(name, Kind.PATH, 0, 0, List.of(), NONE, description);
    }

    private static Def secret(String name, String description) {
        return new Def(name, Kind.SECRET, 0, 0, List.of(), NONE, description);
    }

    private static Def url(String name, String description) {
        return new Def(name, Kind.URL, 0, 0, List.of(), NONE, description);
    }

    private static Def choice(String name, List<String> choices, List<String> defaults, String description) {
        return new Def(name, Kind.CHOICE, 0, 0, choices, defaults, description);
    }
}
