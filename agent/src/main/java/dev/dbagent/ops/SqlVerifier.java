package dev.dbagent.ops;

import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlCall;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Checks every SQL statement of the DAO catalogue against the live database without executing
 * it: the statement, with its {@code :named} parameters turned into {@code $n}, is planned by
 * {@code EXPLAIN (GENERIC_PLAN)} (PostgreSQL 16+; older servers: {@code PREPARE} and
 * {@code EXPLAIN EXECUTE} with NULL arguments), which runs the server's parser, analyser and
 * planner but not the executor. Each check runs in a transaction that is rolled back.
 */
final class SqlVerifier {
    private static final Pattern EXPLAINABLE = Pattern.compile("(?is)^\\s*(\\(\\s*)*(select|with|insert|update|delete|values|merge|table)\\b.*");

    private SqlVerifier() {
    }

    /** One DAO statement. */
    record Statement(String dao, String method, String sql) {
        String name() { return dao + "." + method; }
    }

    /** The outcome for one statement: {@code error == null} means it planned. */
    record Check(Statement statement, String error, long millis) {
    }

    /** The statements of the given DAO interfaces, in class then method-name order. */
    static List<Statement> statements(List<Class<?>> daos, List<String> warnings) {
        List<Statement> out = new ArrayList<>();
        for (Class<?> dao : daos) {
            Method[] methods = dao.getMethods();
            Arrays.sort(methods, Comparator.comparing(Method::getName).thenComparing(Method::toGenericString));
            for (Method m : methods) {
                String value = sqlOf(m);
                if (value == null) {
                    continue;
                }
                if (Arrays.stream(m.getParameterAnnotations()).flatMap(Arrays::stream)
                        .anyMatch(a -> a instanceof Define)) {
                    warnings.add(dao.getSimpleName() + "." + m.getName()
                            + " builds its SQL from @Define template attributes; not checked");
                    continue;
                }
                String sql = value;
                if (dao.isAnnotationPresent(UseClasspathSqlLocator.class) || value.isEmpty()) {
                    sql = locate(dao, value.isEmpty() ? m.getName() : value);
                    if (sql == null) {
                        warnings.add(dao.getSimpleName() + "." + m.getName() + ": SQL not found on the classpath; not checked");
                        continue;
                    }
                }
                out.add(new Statement(dao.getSimpleName(), m.getName(), sql.strip()));
            }
        }
        return out;
    }

    private static String sqlOf(Method m) {
        for (Annotation a : m.getAnnotations()) {
            if (a instanceof SqlQuery q) {
                return q.value();
            }
            if (a instanceof SqlUpdate u) {
                return u.value();
            }
            if (a instanceof SqlBatch b) {
                return b.value();
            }
            if (a instanceof SqlCall c) {
                return c.value();
            }
        }
        return null;
    }

    /** Jdbi's classpath locator convention: {@code com/example/UserDao/findById.sql}. */
    private static String locate(Class<?> dao, String name) {
        String path = dao.getName().replace('.', '/') + "/" + name + ".sql";
        try (InputStream in = dao.getClassLoader().getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    /** The result of turning Jdbi parameters into PostgreSQL's {@code $n}. */
    record Positional(String sql, int parameters) {
    }

    /**
     * Replaces {@code :name}, {@code ?} and {@code <list>} (Jdbi's {@code @BindList}) with
     * {@code $1..$n}, leaving string literals, quoted identifiers, comments, dollar-quoted bodies
     * and {@code ::} casts alone. The same name gets the same number.
     */
    static Positional positional(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        Map<String, Integer> names = new LinkedHashMap<>();
        int anonymous = 0;
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char ch = sql.charAt(i);
            if (ch == '\'' || ch == '"') {
                int end = i + 1;
                while (end < n) {
                    if (sql.charAt(end) == ch) {
                        if (end + 1 < n && sql.charAt(end + 1) == ch) {
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                end = Math.min(end + 1, n);
                out.append(sql, i, end);
                i = end;
            } else if (ch == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                out.append(sql, i, end);
                i = end;
            } else if (ch == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                out.append(sql, i, end);
                i = end;
            } else if (ch == '$' && dollarTag(sql, i) != null) {
                String tag = dollarTag(sql, i);
                int end = sql.indexOf(tag, i + tag.length());
                end = end < 0 ? n : end + tag.length();
                out.append(sql, i, end);
                i = end;
            } else if (ch == ':' && i + 1 < n && sql.charAt(i + 1) == ':') {
                out.append("::");
                i += 2;
            } else if (ch == ':' && i + 1 < n && Character.isJavaIdentifierStart(sql.charAt(i + 1))) {
                int end = i + 1;
                while (end < n && (Character.isJavaIdentifierPart(sql.charAt(end)) || sql.charAt(end) == '.')) {
                    end++;
                }
                String name = sql.substring(i + 1, end);
                int index = names.computeIfAbsent(name, k -> names.size() + 1);
                out.append('$').append(index);
                i = end;
            } else if (ch == '?') {
                anonymous++;
                String name = "?" + anonymous;
                out.append('$').append(names.computeIfAbsent(name, k -> names.size() + 1));
                i++;
            } else if (ch == '<' && i + 1 < n && Character.isJavaIdentifierStart(sql.charAt(i + 1))) {
                int end = i + 1;
                while (end < n && Character.isJavaIdentifierPart(sql.charAt(end))) {
                    end++;
                }
                if (end < n && sql.charAt(end) == '>') {
                    String name = "<" + sql.substring(i + 1, end) + ">";
                    out.append('$').append(names.computeIfAbsent(name, k -> names.size() + 1));
                    i = end + 1;
                } else {
                    out.append(ch);
                    i++;
                }
            } else {
                out.append(ch);
                i++;
            }
        }
        return new Positional(out.toString(), names.size());
    }

    private static String dollarTag(String sql, int i) {
        int end = i + 1;
        while (end < sql.length() && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_')) {
            end++;
        }
        if (end < sql.length() && sql.charAt(end) == '$') {
            String tag = sql.substring(i, end + 1);
            // $1 is a parameter, not a tag
            return tag.length() > 2 && Character.isDigit(tag.charAt(1)) ? null : tag;
        }
        return null;
    }

    /** Plans every statement against {@code schema}; never executes one. */
    static List<Check> check(Connection c, String schema, List<Statement> statements, List<String> warnings)
            throws SQLException {
        List<Check> out = new ArrayList<>();
        boolean generic = c.getMetaData().getDatabaseMajorVersion() >= 16;
        c.setAutoCommit(false);
        try {
            for (Statement s : statements) {
                long t0 = System.nanoTime();
                Positional p = positional(s.sql());
                String body = p.sql().strip();
                while (body.endsWith(";")) {
                    body = body.substring(0, body.length() - 1).strip();
                }
                if (!EXPLAINABLE.matcher(body).matches()) {
                    warnings.add(s.name() + ": '" + firstWord(body) + "' statements cannot be planned without running; not checked");
                    continue;
                }
                String error = null;
                try {
                    Sql.exec(c, "SET LOCAL search_path TO " + Sql.ident(schema));
                    if (generic) {
                        Sql.exec(c, "EXPLAIN (GENERIC_PLAN) " + body);
                    } else {
                        Sql.exec(c, "PREPARE dbagent_verify AS " + body);
                        Sql.exec(c, "EXPLAIN EXECUTE dbagent_verify(" + String.join(", ",
                                java.util.Collections.nCopies(p.parameters(), "NULL")) + ")");
                    }
                } catch (SQLException e) {
                    error = Sql.describe(e);
                } finally {
                    c.rollback();
                    if (!generic) {
                        try {
                            Sql.exec(c, "DEALLOCATE ALL");
                        } catch (SQLException ignored) {
                            // nothing was prepared
                        }
                        c.rollback();
                    }
                }
                out.add(new Check(s, error, (System.nanoTime() - t0) / 1_000_000));
            }
        } finally {
            c.setAutoCommit(true);
        }
        return out;
    }

    private static String firstWord(String sql) {
        String[] parts = sql.split("\\s+", 2);
        return parts[0].toUpperCase(Locale.ROOT);
    }
}
