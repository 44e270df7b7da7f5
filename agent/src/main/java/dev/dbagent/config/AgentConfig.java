package dev.dbagent.config;

import dev.dbagent.InvalidConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The complete, validated configuration of one agent: its name, environment, databases and the
 * agent-wide health, migration, operations, remote JMX and Jolokia settings.
 *
 * <p>Build one with {@link #builder()} (defaults and code only), {@link ConfigLoader} (files,
 * environment variables, system properties, then code) or {@link #load(Path)}. Every way runs
 * the same validation, which reports all problems at once in an {@link InvalidConfigException}.
 *
 * <p>Immutable and thread-safe. {@link #toString()} masks URLs and never shows passwords.
 *
 * @param name agent name, part of every ObjectName ({@code dbagent.name})
 * @param environment the environment ({@code dbagent.environment})
 * @param databases the databases, ordered by lower-case name
 * @param health health monitor settings
 * @param ops operations settings
 * @param jmxRemote remote JMX connector settings
 * @param jolokia Jolokia bridge settings
 * @param http management HTTP endpoint settings (probes and Prometheus metrics)
 * @param fleet this agent's instance id and the fleet it is sized with
 */
public record AgentConfig(String name, Environment environment, List<DatabaseConfig> databases,
        HealthSettings health, OpsSettings ops, JmxRemoteSettings jmxRemote,
        JolokiaSettings jolokia, HttpSettings http, FleetSettings fleet) {

    /**
     * Creates the config. Prefer {@link #builder()} or {@link ConfigLoader}, which validate
     * everything; this constructor re-checks only the safety rules.
     *
     * @param name agent name, part of every ObjectName ({@code dbagent.name})
     * @param environment the environment ({@code dbagent.environment})
     * @param databases the databases, ordered by lower-case name
     * @param health health monitor settings
         * @param ops operations settings
     * @param jmxRemote remote JMX connector settings
     * @param jolokia Jolokia bridge settings
     * @param http management HTTP endpoint settings
     * @param fleet this agent's instance id and the fleet it is sized with
     * @throws NullPointerException if a reference component is null
     * @throws InvalidConfigException if the safety rules are broken (reset or unauthenticated
     *     remote management in staging/production, names unusable in ObjectNames, duplicate
     *     database names); the full validation runs only in the builder and loader
     */
    public AgentConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(environment, "environment");
        databases = List.copyOf(databases);
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(ops, "ops");
        Objects.requireNonNull(jmxRemote, "jmxRemote");
        Objects.requireNonNull(jolokia, "jolokia");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(fleet, "fleet");
        List<String> problems = new ArrayList<>(safetyProblems(name, environment, databases, ops, jmxRemote, jolokia));
        if (environment.isProtected() && http.enabled() && !http.auth()) {
            problems.add(httpWithoutAuthProblem(environment));
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
    }

    /**
     * A config without the management HTTP endpoint, of a single instance with the default
     * instance id.
     *
     * @param name agent name, part of every ObjectName ({@code dbagent.name})
     * @param environment the environment ({@code dbagent.environment})
     * @param databases the databases, ordered by lower-case name
     * @param health health monitor settings
     * @param ops operations settings
     * @param jmxRemote remote JMX connector settings
     * @param jolokia Jolokia bridge settings
     * @throws NullPointerException if a reference component is null
     * @throws InvalidConfigException if the safety rules are broken
     */
    public AgentConfig(String name, Environment environment, List<DatabaseConfig> databases, HealthSettings health,
            OpsSettings ops, JmxRemoteSettings jmxRemote, JolokiaSettings jolokia) {
        this(name, environment, databases, health, ops, jmxRemote, jolokia, HttpSettings.disabled());
    }

    /**
     * A config of a single instance with the default instance id ({@link FleetSettings#single()}).
     *
     * @param name agent name, part of every ObjectName ({@code dbagent.name})
     * @param environment the environment ({@code dbagent.environment})
     * @param databases the databases, ordered by lower-case name
     * @param health health monitor settings
     * @param ops operations settings
     * @param jmxRemote remote JMX connector settings
     * @param jolokia Jolokia bridge settings
     * @param http management HTTP endpoint settings
     * @throws NullPointerException if a reference component is null
     * @throws InvalidConfigException if the safety rules are broken
     */
    public AgentConfig(String name, Environment environment, List<DatabaseConfig> databases, HealthSettings health,
            OpsSettings ops, JmxRemoteSettings jmxRemote, JolokiaSettings jolokia, HttpSettings http) {
        this(name, environment, databases, health, ops, jmxRemote, jolokia, http, FleetSettings.single());
    }

    /**
     * @return this agent's instance id ({@code dbagent.instance})
     */
    public String instance() {
        return fleet.instance();
    }

    /** The staging/production rule of the management HTTP endpoint, shared by the loader and the constructor. */
    static String httpWithoutAuthProblem(Environment environment) {
        return "dbagent.http.auth=false: /metrics of the management HTTP endpoint must require authentication in "
                + environment.key();
    }

    /*
     * The loader reports these with full context; repeating the safety rules here means a config
     * constructed directly, bypassing the loader, still cannot enable reset in production or
     * expose unauthenticated management there.
     */
    private static List<String> safetyProblems(String name, Environment environment, List<DatabaseConfig> databases,
            OpsSettings ops, JmxRemoteSettings jmxRemote, JolokiaSettings jolokia) {
        List<String> problems = new ArrayList<>();
        if (!Names.validAgentName(name)) {
            problems.add(Names.agentNameProblem(name));
        }
        Map<String, String> seen = new LinkedHashMap<>();
        for (DatabaseConfig db : databases) {
            if (!Names.validDatabaseName(db.name())) {
                problems.add(Names.databaseNameProblem(db.name()));
            }
            String earlier = seen.putIfAbsent(db.name().toLowerCase(Locale.ROOT), db.name());
            if (earlier != null) {
                problems.add(ConfigAssembler.duplicateProblem(db.name(), earlier));
            }
        }
        problems.addAll(protectedEnvironmentProblems(environment, ops.resetEnabled(),
                jmxRemote.enabled() && !jmxRemote.auth(), jolokia.enabled() && !jolokia.auth()));
        // what the remote doors would refuse at start-up (files, TLS halves, addresses)
        problems.addAll(jmxRemote.problems(environment));
        problems.addAll(jolokia.problems(environment, jmxRemote));
        return List.copyOf(new java.util.LinkedHashSet<>(problems));
    }

    /**
     * The safety rules of staging and production, shared by the loader and the constructor.
     *
     * @return one problem per rule broken; none outside staging and production
     */
    static List<String> protectedEnvironmentProblems(Environment environment, boolean resetEnabled,
            boolean jmxWithoutAuth, boolean jolokiaWithoutAuth) {
        List<String> problems = new ArrayList<>();
        if (environment.isProtected()) {
            if (resetEnabled) {
                problems.add("dbagent.ops.resetEnabled=true: reset cannot be enabled in " + environment.key());
            }
            if (jmxWithoutAuth) {
                problems.add("dbagent.jmx.remote.auth=false: remote JMX must require authentication in " + environment.key());
            }
            if (jolokiaWithoutAuth) {
                problems.add("dbagent.jolokia.auth=false: Jolokia must require authentication in " + environment.key());
            }
        }
        return problems;
    }

    /**
     * @param name a database name, case-insensitive
     * @return the database, if configured
     */
    public Optional<DatabaseConfig> database(String name) {
        return databases.stream().filter(d -> d.name().equalsIgnoreCase(name)).findFirst();
    }

    /**
     * A builder with only the environment defaults below it; {@code env:} secret references are
     * resolved against {@link System#getenv()}. Use {@link ConfigLoader} to layer files,
     * environment variables and system properties underneath.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder(new ConfigAssembler.Sources(List.of(), null, null, System.getenv()));
    }

    /**
     * Loads {@code file}, its per-environment sibling, the real environment variables and system
     * properties ({@link ConfigLoader#system(Path)}).
     *
     * @param file the base properties file
     * @return the validated config
     * @throws InvalidConfigException listing every problem found
     */
    public static AgentConfig load(Path file) {
        return ConfigLoader.system(file).load();
    }

    /**
     * Sets configuration in code; these values win over every other source. Typed methods are
     * shorthands for {@link #set(String, Object)} with the documented key, so validation messages
     * name the same keys whatever the source.
     *
     * <p>Not thread-safe. {@link #build()} may be called more than once.
     */
    public static final class Builder {
        private final ConfigAssembler.Sources sources;
        private final Map<String, Object> values = new LinkedHashMap<>();
        private final Map<String, String> databases = new LinkedHashMap<>();
        private final List<String> problems = new ArrayList<>();

        Builder(ConfigAssembler.Sources sources) {
            this.sources = sources;
        }

        /**
         * @param name the agent name ({@code dbagent.name})
         * @return this builder
         */
        public Builder name(String name) {
            return set("dbagent.name", name);
        }

        /**
         * @param environment the environment ({@code dbagent.environment})
         * @return this builder
         */
        public Builder environment(Environment environment) {
            return set(Keys.ENVIRONMENT, environment.key());
        }

        /**
         * @param enabled {@code dbagent.ops.resetEnabled}; true is rejected in staging and production
         * @return this builder
         */
        public Builder resetEnabled(boolean enabled) {
            return set("dbagent.ops.resetEnabled", enabled);
        }

        /**
         * Sets any key, e.g. {@code set("dbagent.jolokia.port", 8779)}. Unknown keys are reported by
         * {@link #build()}.
         *
         * @param key a full key starting with {@code dbagent.}
         * @param value a {@link Secret} for secret keys, otherwise anything whose {@code toString}
         *     is the property value; null removes the value set in code
         * @return this builder
         */
        public Builder set(String key, Object value) {
            Objects.requireNonNull(key, "key");
            if (value == null) {
                values.remove(key);
            } else {
                values.put(key, value instanceof Secret ? value : value.toString());
            }
            return this;
        }

        /**
         * Configures a database. Names are case-insensitive; configuring the same name twice in
         * code is a problem reported by {@link #build()}. Values override those of the same
         * database from other sources.
         *
         * @param name the database name; must match {@code [A-Za-z0-9][A-Za-z0-9_-]*}
         * @param spec sets the database's values
         * @return this builder
         */
        public Builder database(String name, Consumer<DatabaseBuilder> spec) {
            Objects.requireNonNull(name, "name");
            if (!Names.validDatabaseName(name)) {
                problems.add(name.isBlank() ? "database name must not be blank" : Names.databaseNameProblem(name));
                return this;
            }
            String earlier = databases.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
            if (earlier != null) {
                problems.add(ConfigAssembler.duplicateProblem(name, earlier));
                return this;
            }
            spec.accept(new DatabaseBuilder(this, name));
            return this;
        }

        /**
         * Layers the sources, validates the result and builds the config. Reads configured files;
         * never connects to a database.
         *
         * @return the validated config
         * @throws InvalidConfigException listing every problem found
         */
        public AgentConfig build() {
            return ConfigAssembler.assemble(sources, new ConfigAssembler.Layer("code", Map.copyOf(values)),
                    List.copyOf(problems));
        }
    }

    /**
     * Sets the values of one database in code. Each method sets the documented key
     * {@code dbagent.db.<name>.<suffix>}.
     *
     * <p>Not thread-safe.
     */
    public static final class DatabaseBuilder {
        private final Builder parent;
        private final String name;
        private int replicas;

        DatabaseBuilder(Builder parent, String name) {
            this.parent = parent;
            this.name = name;
        }

        /**
         * @param url the primary JDBC URL, {@code jdbc:postgresql://...}
         * @return this builder
         */
        public DatabaseBuilder url(String url) {
            return set("url", url);
        }

        /**
         * @param user the user
         * @return this builder
         */
        public DatabaseBuilder user(String user) {
            return set("user", user);
        }

        /**
         * @param password the password, taken literally
         * @return this builder
         */
        public DatabaseBuilder password(Secret password) {
            return set("password", password);
        }

        /**
         * Adds a replica using the primary's user and password; the n-th call sets
         * {@code replicas.<n-1>.*}.
         *
         * @param url the replica JDBC URL
         * @return this builder
         */
        public DatabaseBuilder replica(String url) {
            return set("replicas." + replicas++ + ".url", url);
        }

        /**
         * Adds a replica with its own credentials; the n-th call sets {@code replicas.<n-1>.*}.
         *
         * @param url the replica JDBC URL
         * @param user the replica user
         * @param password the replica password, taken literally
         * @return this builder
         */
        public DatabaseBuilder replica(String url, String user, Secret password) {
            int i = replicas++;
            set("replicas." + i + ".url", url);
            set("replicas." + i + ".user", user);
            return set("replicas." + i + ".password", password);
        }

        /**
         * @param maxTotal {@code pool.maxTotal}
         * @return this builder
         */
        public DatabaseBuilder maxTotal(int maxTotal) {
            return set("pool.maxTotal", maxTotal);
        }

        /**
         * @param minIdle {@code pool.minIdle}
         * @return this builder
         */
        public DatabaseBuilder minIdle(int minIdle) {
            return set("pool.minIdle", minIdle);
        }

        /**
         * @param maxWait {@code pool.maxWaitMillis}
         * @return this builder
         */
        public DatabaseBuilder maxWait(Duration maxWait) {
            return set("pool.maxWaitMillis", maxWait.toMillis());
        }

        /**
         * @param threshold {@code slowQueryMillis}
         * @return this builder
         */
        public DatabaseBuilder slowQueryThreshold(Duration threshold) {
            return set("slowQueryMillis", threshold.toMillis());
        }

        /**
         * @param onStart {@code migrate.onStart}: apply pending changesets when the agent starts
         * @return this builder
         */
        public DatabaseBuilder migrateOnStart(boolean onStart) {
            return set("migrate.onStart", onStart);
        }

        /**
         * @param changelog {@code migrate.changelog}: the database's Liquibase changelog (classpath resource)
         * @return this builder
         */
        public DatabaseBuilder changelog(String changelog) {
            return set("migrate.changelog", changelog);
        }

        /**
         * Declares that {@code url} is a transaction-mode pooler (PgBouncer) and names the server
         * behind it for operations, the migration lock and the audit trail.
         *
         * @param directUrl {@code directUrl}: the server itself, bypassing the pooler
         * @return this builder, with {@code pooler=transaction}
         */
        public DatabaseBuilder behindTransactionPooler(String directUrl) {
            set("pooler", Pooler.TRANSACTION.value());
            return set("directUrl", directUrl);
        }

        /**
         * Sets any database key, e.g. {@code set("breaker.pool.waitOpenMillis", 1000)}.
         *
         * @param suffix the key after {@code dbagent.db.<name>.}
         * @param value a {@link Secret} for secret keys, otherwise anything whose {@code toString}
         *     is the property value
         * @return this builder
         */
        public DatabaseBuilder set(String suffix, Object value) {
            parent.set(Keys.dbKey(name, suffix), value);
            return this;
        }
    }

    @Override
    public String toString() {
        return "AgentConfig[name=" + name + ", environment=" + environment + ", databases=" + databases
                + ", health=" + health + ", ops=" + ops + ", jmxRemote=" + jmxRemote
                + ", jolokia=" + jolokia + ", http=" + http + "]";
    }
}
