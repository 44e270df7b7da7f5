package dev.dbagent.config;

import dev.dbagent.InvalidConfigException;
import io.vavr.collection.Seq;
import io.vavr.control.Validation;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Layers the configuration sources in their fixed order, finds unknown keys and duplicate
 * database names, selects the environment, loads the per-environment files and hands the merged
 * result to {@link ConfigParser}. One instance per build; not thread-safe.
 */
final class ConfigAssembler {
    /** A named map of raw key to String or {@link Secret}. */
    record Layer(String source, Map<String, Object> values) {}

    /**
     * What a {@link ConfigLoader} collected.
     *
     * @param bases files (Path) and in-memory Properties layers (Layer), in the order given
     * @param envVars environment variables as a layer source, or null for none
     * @param systemProperties system properties as a layer source, or null for none
     * @param refEnv where {@code env:} references are resolved
     */
    record Sources(List<Object> bases, Map<String, String> envVars, Properties systemProperties,
            Map<String, String> refEnv) {}

    private final List<String> problems = new ArrayList<>();
    private final Map<String, String> displayNames = new HashMap<>();

    static AgentConfig assemble(Sources sources, Layer code, List<String> builderProblems) {
        return new ConfigAssembler().run(sources, code, builderProblems);
    }

    private AgentConfig run(Sources sources, Layer code, List<String> builderProblems) {
        problems.addAll(builderProblems);
        List<Path> files = new ArrayList<>();
        List<Map<String, Object>> base = new ArrayList<>();
        List<Layer> baseLayers = new ArrayList<>();
        for (Object b : sources.bases()) {
            if (b instanceof Path file) {
                files.add(file);
                readFile(file).ifPresent(baseLayers::add);
            } else {
                baseLayers.add((Layer) b);
            }
        }
        baseLayers.forEach(layer -> base.add(normalize(layer, false)));
        List<Map<String, Object>> top = new ArrayList<>();
        if (sources.envVars() != null) {
            top.add(normalize(envVarLayer(sources, code, baseLayers), false));
        }
        if (sources.systemProperties() != null) {
            top.add(normalize(systemPropertyLayer(sources.systemProperties()), false));
        }
        top.add(normalize(code, true));

        Map<String, Object> merged = new LinkedHashMap<>();
        base.forEach(merged::putAll);
        top.forEach(merged::putAll);
        Object envValue = merged.get(Keys.ENVIRONMENT);
        Environment env = envValue == null ? null : Environment.parse(envValue.toString()).orElse(null);

        List<Map<String, Object>> envFiles = new ArrayList<>();
        if (env != null) {
            for (Path file : files) {
                Path envFile = environmentFile(file, env);
                if (Files.exists(envFile)) {
                    readFile(envFile).ifPresent(layer -> {
                        Map<String, Object> values = normalize(layer, false);
                        Object declared = values.remove(Keys.ENVIRONMENT);
                        if (declared != null && Environment.parse(declared.toString()).orElse(null) != env) {
                            problems.add(Keys.ENVIRONMENT + "=" + declared + " in " + envFile
                                    + ": contradicts the selected environment " + env.key());
                        }
                        envFiles.add(values);
                    });
                }
            }
        }
        merged.clear();
        base.forEach(merged::putAll);
        envFiles.forEach(merged::putAll);
        top.forEach(merged::putAll);

        ConfigParser parser = new ConfigParser(env, merged, sources.refEnv());
        problems.forEach(parser::problem);
        Validation<Seq<String>, AgentConfig> result = parser.parse();
        if (result.isInvalid()) {
            throw new InvalidConfigException(result.getError().asJava());
        }
        return result.get();
    }

    /** {@code conf/dbagent.properties} with production gives {@code conf/dbagent-production.properties}. */
    static Path environmentFile(Path base, Environment env) {
        String name = base.getFileName().toString();
        String stem = name.endsWith(".properties") ? name.substring(0, name.length() - ".properties".length()) : name;
        return base.resolveSibling(stem + "-" + env.key() + ".properties");
    }

    private Optional<Layer> readFile(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            problems.add("config file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
            return Optional.empty();
        }
        return Optional.of(propertiesLayer(file.toString(), props));
    }

    static Layer propertiesLayer(String source, Properties props) {
        Map<String, Object> values = new TreeMap<>();
        for (String key : props.stringPropertyNames()) {
            values.put(key, props.getProperty(key));
        }
        return new Layer(source, values);
    }

    private static Layer systemPropertyLayer(Properties props) {
        Map<String, Object> values = new TreeMap<>();
        for (String key : props.stringPropertyNames()) {
            if (key.startsWith(Keys.PREFIX)) {
                values.put(key, props.getProperty(key));
            }
        }
        return new Layer("system properties", values);
    }

    private Layer envVarLayer(Sources sources, Layer code, List<Layer> baseLayers) {
        Set<String> referenced = referencedEnvVars(sources, code, baseLayers);
        Map<String, Object> values = new TreeMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(sources.envVars()).entrySet()) {
            String var = e.getKey();
            if (!var.startsWith(Keys.ENV_VAR_PREFIX)) {
                continue;
            }
            Optional<String> key = Keys.keyForEnvVar(var);
            if (key.isPresent()) {
                values.put(key.get(), e.getValue());
            } else if (!referenced.contains(var)) {
                // A DBAGENT_* variable that is only the target of an env: reference is not a key.
                problems.add("unknown environment variable " + var
                        + Keys.suggestEnvVar(var).map(s -> " - did you mean " + s + "?").orElse(""));
            }
        }
        return new Layer("environment variables", values);
    }

    /** Values of the base layers (files as read once above), the code and the other sources. */
    private static Set<String> referencedEnvVars(Sources sources, Layer code, List<Layer> baseLayers) {
        Set<String> refs = new HashSet<>();
        List<Object> values = new ArrayList<>(code.values().values());
        for (Layer layer : baseLayers) {
            values.addAll(layer.values().values());
        }
        values.addAll(sources.envVars().values());
        if (sources.systemProperties() != null) {
            values.addAll(sources.systemProperties().values());
        }
        for (Object v : values) {
            if (v instanceof String s && s.trim().startsWith("env:")) {
                refs.add(s.trim().substring(4).trim());
            }
        }
        return refs;
    }

    /**
     * Maps each raw key to its canonical spelling with the database name in its display spelling
     * (the first spelling seen in any layer). Reports unknown keys and, within one layer, two
     * spellings of one database name.
     */
    private Map<String, Object> normalize(Layer layer, boolean code) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, String> spellingInLayer = new HashMap<>();
        Set<String> reported = new HashSet<>();
        for (Map.Entry<String, Object> e : layer.values().entrySet()) {
            String key = e.getKey();
            Keys.Ref ref = Keys.parse(key);
            if (ref instanceof Keys.Unknown) {
                problems.add("unknown key " + key + Keys.suggest(key).map(s -> " - did you mean " + s + "?").orElse(""));
                continue;
            }
            String db = ref instanceof Keys.DbRef d ? d.db() : ref instanceof Keys.ReplicaRef r ? r.db() : null;
            if (db != null) {
                String lower = db.toLowerCase(Locale.ROOT);
                String earlier = spellingInLayer.putIfAbsent(lower, db);
                // The builder reports its own duplicates (it sees each database() call).
                if (!code && earlier != null && !earlier.equals(db) && reported.add(db)) {
                    problems.add(duplicateProblem(db, earlier));
                }
                String display = displayNames.computeIfAbsent(lower, x -> db);
                ref = ref instanceof Keys.DbRef d ? new Keys.DbRef(display, d.def())
                        : new Keys.ReplicaRef(display, ((Keys.ReplicaRef) ref).index(), ((Keys.ReplicaRef) ref).def());
            }
            out.put(Keys.canonical(ref), e.getValue());
        }
        return out;
    }

    static String duplicateProblem(String db, String earlier) {
        return "duplicate database name " + db + ": " + earlier + " is already defined (names are case-insensitive)";
    }
}
