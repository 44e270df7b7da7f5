package dev.dbagent.config;

import dev.dbagent.InvalidConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Collects the configuration sources explicitly and layers them, later winning:
 *
 * <ol>
 *   <li>built-in defaults for the environment,
 *   <li>properties files and in-memory {@link Properties} ({@link #file}, {@link #properties}), in the order added,
 *   <li>for each file, the per-environment file beside it ({@code dbagent.properties} →
 *       {@code dbagent-production.properties}), if it exists,
 *   <li>environment variables ({@code DBAGENT_DB_MAIN_URL} → {@code dbagent.db.main.url}),
 *   <li>system properties ({@code dbagent.*} only),
 *   <li>values set in code on the {@link AgentConfig.Builder} returned by {@link #builder()}.
 * </ol>
 *
 * Nothing is read from the real system properties or environment unless passed in ({@link #system(Path)}
 * does that), so tests stay hermetic. Files are read when the config is built.
 *
 * <p>Not thread-safe; build a config on one thread.
 */
public final class ConfigLoader {
    private final List<Object> bases = new ArrayList<>();
    private Map<String, String> envVars;
    private Properties systemProperties;

    private ConfigLoader() {
    }

    /** @return a loader with no sources: only defaults and what is set in code */
    public static ConfigLoader create() {
        return new ConfigLoader();
    }

    /**
     * A loader for production use: the given file (and its per-environment sibling), the real
     * environment variables and the real system properties.
     *
     * @param file the base properties file, or null for none
     * @return the loader
     */
    public static ConfigLoader system(Path file) {
        ConfigLoader loader = create().environmentVariables(System.getenv()).systemProperties(System.getProperties());
        return file == null ? loader : loader.file(file);
    }

    /**
     * Adds a properties file (UTF-8). Once the environment is known, a file named
     * {@code <stem>-<environment>.properties} beside it is layered on top, if present. A missing
     * base file is a validation problem.
     *
     * @param file the base file
     * @return this loader
     */
    public ConfigLoader file(Path file) {
        bases.add(Objects.requireNonNull(file, "file"));
        return this;
    }

    /**
     * Adds an in-memory layer at the properties-file level (no per-environment sibling).
     *
     * @param sourceName a name for the source, for diagnostics
     * @param properties the keys and values; copied now
     * @return this loader
     */
    public ConfigLoader properties(String sourceName, Properties properties) {
        bases.add(ConfigAssembler.propertiesLayer(sourceName, properties));
        return this;
    }

    /**
     * Sets the environment variables: {@code DBAGENT_*} variables become a layer, and
     * {@code env:VAR} secret references are resolved against this map. An unknown
     * {@code DBAGENT_*} variable is a problem unless an {@code env:} reference names it.
     *
     * @param env the variables; copied now
     * @return this loader
     */
    public ConfigLoader environmentVariables(Map<String, String> env) {
        this.envVars = Map.copyOf(env);
        return this;
    }

    /**
     * Sets the system properties; only keys starting with {@code dbagent.} are used.
     *
     * @param properties the properties; copied now
     * @return this loader
     */
    public ConfigLoader systemProperties(Properties properties) {
        Properties copy = new Properties();
        properties.stringPropertyNames().forEach(k -> copy.setProperty(k, properties.getProperty(k)));
        this.systemProperties = copy;
        return this;
    }

    /** @return a builder whose values in code override every source of this loader */
    public AgentConfig.Builder builder() {
        Map<String, String> refEnv = envVars == null ? Map.of() : envVars;
        return new AgentConfig.Builder(new ConfigAssembler.Sources(List.copyOf(bases), envVars, systemProperties, refEnv));
    }

    /**
     * Loads and validates the layered configuration. Reads the files; does not connect to any database.
     *
     * @return the validated config
     * @throws InvalidConfigException listing every problem found
     */
    public AgentConfig load() {
        return builder().build();
    }
}
