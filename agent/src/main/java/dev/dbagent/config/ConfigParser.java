package dev.dbagent.config;

import dev.dbagent.config.Keys.Def;
import dev.dbagent.config.Keys.Kind;
import io.vavr.collection.Seq;
import io.vavr.control.Validation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the merged key/value map into a typed {@link AgentConfig}, collecting every problem as
 * an invalid Vavr {@link Validation}. Not thread-safe; one instance per build.
 */
final class ConfigParser {

    private static final java.util.regex.Pattern ASCII_INTEGER = java.util.regex.Pattern.compile("-?[0-9]{1,18}");
    private static final java.util.regex.Pattern IDENTIFIER =
            java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");
    private final Environment env;
    private final Environment defaults;
    private final Map<String, Object> merged;
    private final Map<String, String> refEnv;
    private final List<Validation<String, ?>> checks = new ArrayList<>();
    private final Map<String, Object> parsed = new HashMap<>();

    /**
     * @param env the selected environment, null if unknown (development defaults are then used
     *     to keep checking the rest, and the environment rules are skipped)
     * @param merged canonical key to String or {@link Secret}, database names in display spelling
     * @param refEnv where {@code env:} secret references are looked up
     */
    ConfigParser(Environment env, Map<String, Object> merged, Map<String, String> refEnv) {
        this.env = env;
        this.defaults = env == null ? Environment.DEVELOPMENT : env;
        this.merged = merged;
        this.refEnv = refEnv;
    }

    /** Adds problems found before parsing (unknown keys, duplicate names, unreadable files). */
    void problem(String message) {
        checks.add(Validation.invalid(message));
    }

    /** @return the config, or every problem found */
    Validation<Seq<String>, AgentConfig> parse() {
        checkEnvironment();
        for (Def def : Keys.AGENT) {
            if (!def.name().equals(Keys.ENVIRONMENT)) {
                read(def.name(), def);
            }
        }
        checkAgentRules();
        Map<String, String> databases = databaseNames();
        if (databases.isEmpty()) {
            problem("no database configured: set dbagent.db.<name>.url");
        }
        databases.values().forEach(this::checkDatabase);

        Validation<Seq<String>, Seq<Object>> all =
                Validation.sequence(checks.stream().map(v -> v.mapError(io.vavr.collection.List::of).map(x -> (Object) x))
                        .collect(io.vavr.collection.List.collector()));
        return all.map(ok -> build(databases));
    }

    private void checkEnvironment() {
        Object raw = merged.get(Keys.ENVIRONMENT);
        if (raw == null || raw.toString().isBlank()) {
            problem(Keys.ENVIRONMENT + " is required (one of development, test, staging, production)");
        } else if (env == null) {
            problem(Keys.ENVIRONMENT + "=" + raw + ": must be one of development, test, staging, production");
        }
    }

    private void checkAgentRules() {
        String name = (String) parsed.get("dbagent.name");
        if (name != null && !Names.validAgentName(name)) {
            problem(Names.agentNameProblem(name));
        }
        Object instance = parsed.get("dbagent.instance");
        if (instance != null) {
            String instanceProblem = FleetSettings.instanceProblem(instance.toString());
            if (instanceProblem != null) {
                problem(instanceProblem);
            }
        }
        if (env != null) {
            AgentConfig.protectedEnvironmentProblems(env, Boolean.TRUE.equals(parsed.get("dbagent.ops.resetEnabled")),
                    Boolean.TRUE.equals(parsed.get("dbagent.jmx.remote.enabled"))
                            && Boolean.FALSE.equals(parsed.get("dbagent.jmx.remote.auth")),
                    Boolean.TRUE.equals(parsed.get("dbagent.jolokia.enabled"))
                            && Boolean.FALSE.equals(parsed.get("dbagent.jolokia.auth")))
                    .forEach(this::problem);
        }
        boolean jmx = Boolean.TRUE.equals(parsed.get("dbagent.jmx.remote.enabled"));
        boolean jolokia = Boolean.TRUE.equals(parsed.get("dbagent.jolokia.enabled"));
        if (jmx && Boolean.TRUE.equals(parsed.get("dbagent.jmx.remote.auth"))
                && blank("dbagent.jmx.remote.passwordFile")) {
            problem("dbagent.jmx.remote.passwordFile is required when dbagent.jmx.remote.auth=true");
        }
        // Jolokia authenticates either its own user, or the monitor/operator users of the
        // remote-JMX password and access files
        boolean sharedUsers = !blank("dbagent.jmx.remote.passwordFile") && !blank("dbagent.jmx.remote.accessFile");
        if (jolokia && Boolean.TRUE.equals(parsed.get("dbagent.jolokia.auth"))
                && !(sharedUsers && blank("dbagent.jolokia.user") && blank("dbagent.jolokia.password"))) {
            if (blank("dbagent.jolokia.user")) {
                problem("dbagent.jolokia.user is required when dbagent.jolokia.auth=true"
                        + " (or set dbagent.jmx.remote.passwordFile and accessFile to share their users)");
            }
            if (blank("dbagent.jolokia.password")) {
                problem("dbagent.jolokia.password is required when dbagent.jolokia.auth=true"
                        + " (or set dbagent.jmx.remote.passwordFile and accessFile to share their users)");
            }
        }
        checkHttpRules(jmx, jolokia);
        Object jmxPort = parsed.get("dbagent.jmx.remote.port");
        Object jolokiaPort = parsed.get("dbagent.jolokia.port");
        if (jmx && jolokia && jmxPort != null && jmxPort.equals(jolokiaPort) && !jmxPort.equals(0L)) {
            problem("dbagent.jolokia.port=" + jolokiaPort + ": must differ from dbagent.jmx.remote.port (" + jmxPort + ")");
        }
    }


    /**
     * The management HTTP endpoint: authentication for /metrics in staging and production, a user
     * and password with auth, TLS keys never half set and a keystore that opens with its
     * password (what start-up would refuse, loading refuses), and a port of its own.
     */
    private void checkHttpRules(boolean jmx, boolean jolokia) {
        boolean http = Boolean.TRUE.equals(parsed.get("dbagent.http.enabled"));
        if (http && env != null && env.isProtected() && Boolean.FALSE.equals(parsed.get("dbagent.http.auth"))) {
            problem(AgentConfig.httpWithoutAuthProblem(env));
        }
        if (http && Boolean.TRUE.equals(parsed.get("dbagent.http.auth"))) {
            for (String key : List.of("dbagent.http.user", "dbagent.http.password")) {
                if (blank(key)) {
                    problem(key + " is required when dbagent.http.auth=true");
                }
            }
        }
        boolean keystore = !blank("dbagent.http.tls.keystore");
        boolean keystorePassword = !blank("dbagent.http.tls.keystorePassword");
        if (keystore != keystorePassword) {
            problem(keystore
                    ? "dbagent.http.tls.keystore is set but dbagent.http.tls.keystorePassword is not: set both for https, or neither"
                    : "dbagent.http.tls.keystorePassword is set but dbagent.http.tls.keystore is not: set both for https, or neither");
        } else if (http && keystore && parsed.get("dbagent.http.tls.keystore") instanceof Path file
                && parsed.get("dbagent.http.tls.keystorePassword") instanceof Secret password
                && parsed.get("dbagent.http.tls.keystoreType") instanceof String type) {
            try (var in = Files.newInputStream(file)) {
                java.security.KeyStore.getInstance(type.toUpperCase(Locale.ROOT)).load(in, password.reveal().toCharArray());
            } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
                // the exception's message may quote file content, never the password: name the class only
                problem("dbagent.http.tls.keystore=" + file + ": cannot be opened as " + type
                        + " with dbagent.http.tls.keystorePassword (" + e.getClass().getSimpleName() + ")");
            }
        }
        Object httpPort = parsed.get("dbagent.http.port");
        if (http && httpPort != null && !httpPort.equals(0L)) {
            if (jmx && httpPort.equals(parsed.get("dbagent.jmx.remote.port"))) {
                problem("dbagent.http.port=" + httpPort + ": must differ from dbagent.jmx.remote.port");
            }
            if (jolokia && httpPort.equals(parsed.get("dbagent.jolokia.port"))) {
                problem("dbagent.http.port=" + httpPort + ": must differ from dbagent.jolokia.port");
            }
        }
    }

    /** lower-case name to display name, sorted by lower-case name. */
    private Map<String, String> databaseNames() {
        Map<String, String> names = new TreeMap<>();
        for (String key : merged.keySet()) {
            if (key.startsWith(Keys.DB_PREFIX)) {
                String rest = key.substring(Keys.DB_PREFIX.length());
                String db = rest.substring(0, rest.indexOf('.'));
                names.putIfAbsent(db.toLowerCase(Locale.ROOT), db);
            }
        }
        return names;
    }

    private void checkDatabase(String db) {
        if (!Names.validDatabaseName(db)) {
            problem(Names.databaseNameProblem(db));
        }
        TreeSet<Integer> replicaIndexes = replicaIndexes(db);
        String urlKey = Keys.dbKey(db, "url");
        for (Def def : Keys.DATABASE) {
            String key = Keys.dbKey(db, def.name());
            if (def.name().equals("url") && blank(key)) {
                if (replicaIndexes.isEmpty()) {
                    problem(urlKey + " is required");
                } else {
                    problem(urlKey + " is required: database " + db + " has replicas ("
                            + Keys.replicaKey(db, replicaIndexes.first(), "url") + ") but no primary");
                }
                continue;
            }
            if (def.name().startsWith("breaker.pool.") || def.name().startsWith("breaker.service.")) {
                // Unset layer-specific breaker keys inherit the shared breaker.* value.
                if (!blank(key)) {
                    read(key, def);
                }
                continue;
            }
            read(key, def);
        }
        for (int i : replicaIndexes) {
            String key = Keys.replicaKey(db, i, "url");
            if (blank(key)) {
                problem(key + " is required: replica " + i + " of database " + db + " has other keys but no url");
            }
            for (Def def : Keys.REPLICA) {
                String k = Keys.replicaKey(db, i, def.name());
                if (!blank(k)) {
                    read(k, def);
                }
            }
        }
        atMost(Keys.dbKey(db, "pool.minIdle"), Keys.dbKey(db, "pool.maxTotal"));
        atLeast(Keys.dbKey(db, "retry.maxBackoffMillis"), Keys.dbKey(db, "retry.initialBackoffMillis"));
        checkConnection(db, replicaIndexes);
        checkPooler(db);
        checkCatalogue(db);
    }

    /**
     * What pgJDBC or the server would refuse later: a schema that is not an identifier, a CA
     * file that cannot be read, and (in production) an empty password.
     */
    private void checkConnection(String db, TreeSet<Integer> replicaIndexes) {
        String schemaKey = Keys.dbKey(db, "currentSchema");
        if (parsed.get(schemaKey) instanceof String schema && !IDENTIFIER.matcher(schema).matches()) {
            problem(schemaKey + "=" + printable(schema) + ": must be an SQL identifier of at most 63 characters"
                    + " (letters, digits, _ and $, not starting with a digit)");
        }
        String caKey = Keys.dbKey(db, "sslrootcert");
        if (parsed.get(caKey) instanceof Path ca && !(Files.isRegularFile(ca) && Files.isReadable(ca))) {
            problem(caKey + "=" + ca + ": no such readable file");
        }
        if (env == Environment.PRODUCTION) {
            List<String> passwordKeys = new ArrayList<>();
            passwordKeys.add(Keys.dbKey(db, "password"));
            replicaIndexes.forEach(i -> passwordKeys.add(Keys.replicaKey(db, i, "password")));
            for (String key : passwordKeys) {
                Object raw = merged.get(key);
                boolean empty = raw instanceof String text ? text.isBlank()
                        : raw instanceof Secret secret && secret.reveal().isBlank();
                if (empty || parsed.get(key) instanceof Secret resolved && resolved.reveal().isBlank()) {
                    problem(key + ": must not be empty in production (leave it unset for certificate or peer"
                            + " authentication)");
                }
            }
        }
    }

    /**
     * Behind a transaction-mode pooler a session-level advisory lock means nothing (the next
     * transaction may run on another server connection), so the migration lock, the operations
     * and the audit trail need the server itself: {@code directUrl} is required, and must not be
     * the pooler's URL again.
     */
    private void checkPooler(String db) {
        String poolerKey = Keys.dbKey(db, "pooler");
        String directKey = Keys.dbKey(db, "directUrl");
        if (!Pooler.TRANSACTION.value().equals(parsed.get(poolerKey))) {
            return;
        }
        if (blank(directKey)) {
            problem(directKey + " is required when " + poolerKey + "=transaction: operations, the migration lock and"
                    + " the audit trail need a connection to the server itself, not through the pooler");
        } else if (parsed.get(directKey) instanceof String direct && direct.equals(parsed.get(Keys.dbKey(db, "url")))) {
            problem(directKey + "=" + JdbcUrls.mask(direct) + ": must be the server itself, not the pooler's "
                    + Keys.dbKey(db, "url") + " again (" + poolerKey + "=transaction)");
        }
    }

    /** Control and other invisible characters shown escaped, so a message says what was really there. */
    static String printable(String value) {
        StringBuilder sb = new StringBuilder();
        value.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
    }

    /**
     * The changelog must be a resource the application's class loader finds, and every
     * {@code verify.daos} entry an interface it loads: found at load, not at the first migrate.
     */
    private void checkCatalogue(String db) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : ConfigParser.class.getClassLoader();
        String changelogKey = Keys.dbKey(db, "migrate.changelog");
        if (parsed.get(changelogKey) instanceof String changelog && loader.getResource(changelog) == null) {
            problem(changelogKey + "=" + changelog + ": no such classpath resource");
        }
        String daosKey = Keys.dbKey(db, "verify.daos");
        if (parsed.get(daosKey) instanceof String daos) {
            for (String name : daos.split(",")) {
                String dao = name.strip();
                if (dao.isEmpty()) {
                    continue;
                }
                try {
                    if (!Class.forName(dao, false, loader).isInterface()) {
                        problem(daosKey + ": " + dao + " is not an interface (a Jdbi SQL object is)");
                    }
                } catch (ClassNotFoundException | LinkageError e) {
                    problem(daosKey + ": class " + dao + " cannot be loaded");
                }
            }
        }
    }


    private void atMost(String key, String limitKey) {
        Object v = parsed.get(key);
        Object limit = parsed.get(limitKey);
        if (v instanceof Long a && limit instanceof Long b && a > b) {
            problem(key + "=" + a + ": must not exceed " + limitKey + " (" + b + ")");
        }
    }

    private void atLeast(String key, String limitKey) {
        Object v = parsed.get(key);
        Object limit = parsed.get(limitKey);
        if (v instanceof Long a && limit instanceof Long b && a < b) {
            problem(key + "=" + a + ": must not be less than " + limitKey + " (" + b + ")");
        }
    }

    private TreeSet<Integer> replicaIndexes(String db) {
        Pattern p = Pattern.compile(Pattern.quote(Keys.DB_PREFIX + db + ".replicas.") + "(\\d+)\\..*");
        TreeSet<Integer> indexes = new TreeSet<>();
        for (String key : merged.keySet()) {
            Matcher m = p.matcher(key);
            if (m.matches() && !blank(key)) {
                indexes.add(Integer.parseInt(m.group(1)));
            }
        }
        return indexes;
    }

    private boolean blank(String key) {
        Object v = merged.get(key);
        return v == null || v instanceof String s && s.isBlank();
    }

    /** Parses one key (or its default) into {@link #parsed}; records a problem if invalid. */
    private void read(String key, Def def) {
        Object raw = merged.get(key);
        if (raw instanceof String s && s.isBlank()) {
            raw = null;
        }
        if (raw == null) {
            String fallback = def.defaultFor(defaults);
            if (fallback == null) {
                parsed.put(key, null);
                return;
            }
            raw = fallback;
        }
        Validation<String, Object> v = convert(key, def, raw);
        checks.add(v);
        if (v.isValid()) {
            parsed.put(key, v.get());
        }
    }

    private Validation<String, Object> convert(String key, Def def, Object raw) {
        if (def.kind() == Kind.SECRET) {
            return raw instanceof Secret secret ? Validation.valid(secret) : resolveSecret(key, raw.toString().trim());
        }
        // strip(), not trim(): trim() also removes control characters, so "5\0" would pass as 5
        String value = raw.toString().strip();
        String shown = key + "=" + (def.kind() == Kind.URL ? JdbcUrls.mask(value) : printable(value));
        switch (def.kind()) {
            case INT, MILLIS, SECONDS -> {
                long n;
                // ASCII digits only: Long.parseLong also reads "５" or "١٠٠٠" (other scripts' digits)
                if (!ASCII_INTEGER.matcher(value).matches()) {
                    return Validation.invalid(shown + ": must be an integer");
                }
                try {
                    n = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    return Validation.invalid(shown + ": must be an integer");
                }
                if (n < def.min() || n > def.max()) {
                    return Validation.invalid(shown + ": must be between " + def.min() + " and " + def.max());
                }
                return Validation.valid(n);
            }
            case BOOL -> {
                if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
                    return Validation.valid(Boolean.parseBoolean(value.toLowerCase(Locale.ROOT)));
                }
                return Validation.invalid(shown + ": must be true or false");
            }
            case CHOICE -> {
                String lower = value.toLowerCase(Locale.ROOT);
                return def.choices().contains(lower) ? Validation.valid(lower)
                        : Validation.invalid(shown + ": must be one of " + String.join(", ", def.choices()));
            }
            case URL -> {
                Optional<String> wrong = JdbcUrls.problem(value);
                return wrong.isEmpty() ? Validation.valid(value) : Validation.invalid(shown + ": " + wrong.get());
            }
            case PATH -> {
                try {
                    return Validation.valid(Path.of(value));
                } catch (RuntimeException e) {
                    return Validation.invalid(shown + ": is not a valid path");
                }
            }
            default -> {
                return Validation.valid(value);
            }
        }
    }

    private Validation<String, Object> resolveSecret(String key, String value) {
        if (value.startsWith("env:")) {
            String var = value.substring(4).trim();
            if (var.isEmpty()) {
                return Validation.invalid(key + ": the env: reference names no variable");
            }
            String resolved = refEnv.get(var);
            return resolved == null
                    ? Validation.invalid(key + ": environment variable " + var + " (env: reference) is not set")
                    : Validation.valid(Secret.fromEnv(var, resolved, refEnv));
        }
        if (value.startsWith("file:")) {
            String file = value.substring(5).trim();
            if (file.isEmpty()) {
                return Validation.invalid(key + ": the file: reference names no file");
            }
            try {
                return Validation.valid(Secret.fromFile(Path.of(file)));
            } catch (IOException | RuntimeException e) {
                return Validation.invalid(key + ": file " + file + " (file: reference) cannot be read ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        return Validation.valid(Secret.of(value));
    }

    private AgentConfig build(Map<String, String> databases) {
        List<DatabaseConfig> dbs = new ArrayList<>();
        databases.values().forEach(db -> dbs.add(database(db)));
        return new AgentConfig(str("dbagent.name"), env, dbs,
                new HealthSettings(secs("dbagent.health.intervalSeconds"), secs("dbagent.health.longTransactionSeconds"),
                        secs("dbagent.health.idleInTransactionSeconds"), num("dbagent.health.saturationPercent")),
                new OpsSettings(bool("dbagent.ops.resetEnabled"), secs("dbagent.ops.resetTokenTtlSeconds"),
                        bool("dbagent.ops.repairChecksumsInProduction")),
                new JmxRemoteSettings(bool("dbagent.jmx.remote.enabled"), str("dbagent.jmx.remote.host"),
                        num("dbagent.jmx.remote.port"), bool("dbagent.jmx.remote.auth"), opt("dbagent.jmx.remote.passwordFile"),
                        opt("dbagent.jmx.remote.accessFile"), bool("dbagent.jmx.remote.ssl")),
                new JolokiaSettings(bool("dbagent.jolokia.enabled"), str("dbagent.jolokia.host"), num("dbagent.jolokia.port"),
                        bool("dbagent.jolokia.auth"), opt("dbagent.jolokia.user"), opt("dbagent.jolokia.password"),
                        opt("dbagent.jolokia.policyFile"), num("dbagent.jolokia.threads"),
                        num("dbagent.jolokia.maxBodyBytes"), num("dbagent.jolokia.requestTimeoutSeconds"),
                        bool("dbagent.jolokia.ssl"), opt("dbagent.jolokia.keystore"),
                        opt("dbagent.jolokia.keystorePassword")),
                new HttpSettings(bool("dbagent.http.enabled"), str("dbagent.http.host"), num("dbagent.http.port"),
                        bool("dbagent.http.auth"), opt("dbagent.http.user"), opt("dbagent.http.password"),
                        bool("dbagent.http.readyWhenDegraded"), num("dbagent.http.threads"),
                        ms("dbagent.http.requestTimeoutMillis"), opt("dbagent.http.tls.keystore"),
                        opt("dbagent.http.tls.keystorePassword"), str("dbagent.http.tls.keystoreType")),
                new FleetSettings(this.<String>opt("dbagent.instance").orElseGet(FleetSettings::defaultInstance),
                        num("dbagent.fleet.expectedInstances")));
    }

    private DatabaseConfig database(String db) {
        String p = Keys.DB_PREFIX + db + ".";
        Optional<String> user = opt(p + "user");
        Optional<Secret> password = opt(p + "password");
        List<ReplicaConfig> replicas = new ArrayList<>();
        for (int i : replicaIndexes(db)) {
            String r = p + "replicas." + i + ".";
            Optional<String> ru = opt(r + "user");
            Optional<Secret> rp = opt(r + "password");
            replicas.add(new ReplicaConfig(i, str(r + "url"), ru.isPresent() ? ru : user, rp.isPresent() ? rp : password));
        }
        return new DatabaseConfig(db, str(p + "url"), user, password, replicas,
                new PoolSettings(num(p + "pool.maxTotal"), num(p + "pool.minIdle"), ms(p + "pool.maxWaitMillis"),
                        secs(p + "pool.validationTimeoutSeconds"), ms(p + "pool.timeBetweenEvictionRunsMillis"),
                        ms(p + "pool.minEvictableIdleMillis"), ms(p + "pool.maxConnLifetimeMillis"),
                        num(p + "pool.statementCacheSize"), secs(p + "pool.abandonedTimeoutSeconds"),
                        bool(p + "pool.logAbandoned")),
                new ConnectionSettings(secs(p + "connectTimeoutSeconds"), secs(p + "socketTimeoutSeconds"),
                        secs(p + "loginTimeoutSeconds"), bool(p + "tcpKeepAlive"),
                        SslMode.parse(str(p + "sslmode")).orElseThrow(), str(p + "currentSchema"),
                        opt(p + "sslrootcert"), Pooler.parse(str(p + "pooler")).orElseThrow()),
                new ReplicaSettings(ms(p + "replica.maxLagMillis"), ms(p + "readYourWritesMillis"),
                        ReplicaBalance.parse(str(p + "replica.balance")).orElseThrow()),
                breaker(p, "pool"), breaker(p, "service"),
                new RetrySettings(num(p + "retry.maxAttempts"), ms(p + "retry.initialBackoffMillis"),
                        ms(p + "retry.maxBackoffMillis"), ms(p + "retry.maxTotalMillis")),
                ms(p + "slowQueryMillis"), num(p + "slowQueryBuffer"),
                new MigrateSettings(opt(p + "migrate.changelog"), list(p + "migrate.referenceContexts"),
                        bool(p + "migrate.onStart"), secs(p + "migrate.lockWaitSeconds"), list(p + "verify.daos")),
                opt(p + "directUrl"));
    }

    private BreakerSettings breaker(String p, String layer) {
        String l = p + "breaker." + layer + ".";
        String s = p + "breaker.";
        return new BreakerSettings(num(first(l, s, "failureRateThreshold")), num(first(l, s, "minimumCalls")),
                num(first(l, s, "slidingWindowSize")), ms(first(l, s, "waitOpenMillis")),
                num(first(l, s, "halfOpenCalls")), ms(first(l, s, "slowCallMillis")));
    }

    private String first(String layerPrefix, String sharedPrefix, String setting) {
        return parsed.get(layerPrefix + setting) != null ? layerPrefix + setting : sharedPrefix + setting;
    }

    private String str(String key) {
        return (String) parsed.get(key);
    }

    private List<String> list(String key) {
        String v = str(key);
        return v == null ? List.of() : Arrays.stream(v.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
    }

    private int num(String key) {
        return Math.toIntExact((Long) parsed.get(key));
    }

    private boolean bool(String key) {
        return (Boolean) parsed.get(key);
    }

    private Duration ms(String key) {
        return Duration.ofMillis((Long) parsed.get(key));
    }

    private Duration secs(String key) {
        return Duration.ofSeconds((Long) parsed.get(key));
    }

    @SuppressWarnings("unchecked")
    private <T> Optional<T> opt(String key) {
        return Optional.ofNullable((T) parsed.get(key));
    }
}
