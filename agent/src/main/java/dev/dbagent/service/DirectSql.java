package dev.dbagent.service;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collector;
import java.util.stream.Stream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.extension.AttachedExtensionHandler;
import org.jdbi.v3.core.extension.ExtensionHandler;
import org.jdbi.v3.core.extension.ExtensionHandlerCustomizer;
import org.jdbi.v3.core.extension.HandleSupplier;
import org.jdbi.v3.core.extension.annotation.UseExtensionConfigurer;
import org.jdbi.v3.core.generic.GenericTypes;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.qualifier.QualifiedType;
import org.jdbi.v3.core.result.ResultIterable;
import org.jdbi.v3.core.result.ResultIterator;
import org.jdbi.v3.core.statement.DefaultStatementBuilder;
import org.jdbi.v3.core.statement.ParsedParameters;
import org.jdbi.v3.core.statement.ParsedSql;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.sqlobject.SqlObjects;
import org.jdbi.v3.sqlobject.config.ConfiguringAnnotation;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.locator.AnnotationSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * A cheaper statement path for the plainest SqlObject methods of the service's DAOs: it runs them
 * as a prepared statement on the call's connection without building a Jdbi statement, whose
 * per-statement copy of the handle's configuration is most of a DAO call's CPU and allocation.
 *
 * <p>Everything Jdbi decides is still decided by Jdbi, once per thread's handle and method: the
 * SQL (the configured SQL locator, template engine and parser, so {@code :name} parameters are
 * rewritten exactly as Jdbi does), the argument for each value (the configured argument factories,
 * so null handling is Jdbi's), the row mapper of the result or element type and the collector. A method takes this path only
 * when all of these hold, and goes through Jdbi unchanged otherwise:
 * <ul>
 *   <li>{@code @SqlQuery} returning a single value, or a type Jdbi collects rows into
 *       ({@code List}, {@code Set}, {@code Optional}, ...; not a stream, iterator or map), or
 *       {@code @SqlUpdate} returning {@code int}, {@code Integer}, {@code boolean}, {@code Boolean}
 *       or {@code void};</li>
 *   <li>the method carries no other annotation; each parameter is either unannotated (positional
 *       {@code ?} SQL) or {@code @Bind("name")} (named SQL), every SQL parameter is bound and every
 *       binding is used; the DAO type carries only configuring annotations ({@code @Register...});</li>
 *   <li>the configuration uses the default statement builder, the annotation SQL locator and the
 *       service's own SQL logger; the service's Jdbi was not customised (statement customisers and
 *       context listeners cannot be seen from outside Jdbi, so a customised Jdbi never takes this
 *       path).</li>
 * </ul>
 *
 * <p>Failures are Jdbi's own: when the driver throws, the same method is run once more through
 * Jdbi on a stand-in statement that throws the same {@link SQLException} at the same step
 * (prepare, bind, execute, read) without touching the connection, so the caller gets exactly the
 * exception Jdbi makes (type, message with statement context, exception handlers) and the SQL
 * logger sees the failure once. The statement itself ran once.
 *
 * <p>Thread-safe and stateless: plans are kept per thread and handle, and checked against the
 * handle's configuration.
 */
final class DirectSql implements ExtensionHandlerCustomizer {
    /**
     * The connection a service lends its handle, seen by the direct path: Jdbi may share decorated
     * handlers between Jdbi instances, so everything about the service is found through the handle's
     * connection, never kept in the decorator.
     */
    interface Host {
        /** @return whether this connection belongs to a running call of a service that allows the direct path */
        boolean directAllowed();

        /** @return whether {@code logger} is the service's own statement recorder */
        boolean isOwnLogger(SqlLogger logger);

        /** Notes one statement of the running call, as the recorder does for Jdbi's statements. */
        void noteStatement(String renderedSql, long nanos);

        /** Counts a statement run on the direct path and a plan made ({@code plan} true). */
        void count(boolean plan);

        /**
         * Makes the next statement prepared on this connection a stand-in that fails as
         * {@code replay} says, then runs {@code action}.
         */
        Object replaying(Replay replay, ThrowingSupplier action) throws Exception;
    }

    /** A supplier that may throw, for {@link Host#replaying}. */
    @FunctionalInterface
    interface ThrowingSupplier {
        Object get() throws Exception;
    }

    /** The step at which a statement failed. */
    enum Step { PREPARE, BIND, EXECUTE, READ, NO_RESULTS }

    /** A failure to reproduce through Jdbi. */
    record Replay(Step step, SQLException failure) {}

    /** Stateless: one for every service. */
    static final DirectSql INSTANCE = new DirectSql();

    private DirectSql() {}

    @Override
    public ExtensionHandler customize(ExtensionHandler base, Class<?> sqlObjectType, Method method) {
        Shape shape = Shape.of(sqlObjectType, method);
        return shape == null ? base : new DirectHandler(base, sqlObjectType, method, shape);
    }

    /** What a method's declaration allows, decided once per method. */
    private record Shape(boolean query, String[] bindNames, Class<?> returnType, Type genericReturn) {
        static Shape of(Class<?> type, Method method) {
            SqlQuery q = method.getAnnotation(SqlQuery.class);
            SqlUpdate u = method.getAnnotation(SqlUpdate.class);
            if ((q == null) == (u == null) || method.getAnnotations().length != 1 || method.isDefault()
                    || !plainType(type)) {
                return null;
            }
            Type generic = GenericTypes.resolveType(method.getGenericReturnType(), type);
            Class<?> rt = GenericTypes.getErasedType(generic);
            if (q != null) {
                // Jdbi returns these lazily or by key: left to Jdbi. Single values and collections
                // (List, Set, Optional, ...) are decided at planning by Jdbi's collectors.
                if (rt == void.class || rt == Void.class || Stream.class.isAssignableFrom(rt)
                        || Iterator.class.isAssignableFrom(rt) || ResultIterable.class.isAssignableFrom(rt)
                        || ResultIterator.class.isAssignableFrom(rt) || Map.class.isAssignableFrom(rt) || rt.isArray()) {
                    return null;
                }
            } else if (!(generic instanceof Class<?>)) {
                return null;
            } else if (!(rt == int.class || rt == Integer.class || rt == boolean.class || rt == Boolean.class
                    || rt == void.class)) {
                return null;
            }
            Parameter[] ps = method.getParameters();
            String[] names = new String[ps.length];
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < ps.length; i++) {
                Class<?> pt = ps[i].getType();
                if (Consumer.class.isAssignableFrom(pt) || Function.class.isAssignableFrom(pt)) {
                    return null; // Jdbi hands such a parameter the results
                }
                Annotation[] as = ps[i].getAnnotations();
                if (as.length == 0) {
                    names[i] = null;
                } else if (as.length == 1 && as[0] instanceof Bind b && !b.value().isEmpty() && seen.add(b.value())) {
                    names[i] = b.value();
                } else {
                    return null;
                }
            }
            return new Shape(q != null, names, rt, generic);
        }

        /** Only annotations that configure (mappers, arguments) on the DAO type and its supertypes. */
        private static boolean plainType(Class<?> type) {
            Deque<Class<?>> todo = new ArrayDeque<>(List.of(type));
            while (!todo.isEmpty()) {
                Class<?> t = todo.pop();
                for (Annotation a : t.getAnnotations()) {
                    if (!configuring(a.annotationType())) {
                        return false;
                    }
                }
                todo.addAll(List.of(t.getInterfaces()));
            }
            return true;
        }

        private static boolean configuring(Class<? extends Annotation> a) {
            return a.isAnnotationPresent(UseExtensionConfigurer.class) || a.isAnnotationPresent(ConfiguringAnnotation.class);
        }
    }

    /** A method's statement as Jdbi prepared it for one thread's handle. */
    private static final class Plan {
        final Handle handle;
        final ConfigRegistry config;
        final StatementContext context;
        final String sql;
        /** The SQL as the SQL logger would see it: rendered, named parameters not yet rewritten. */
        final String rendered;
        /** For each {@code ?} of {@link #sql}: the index of the method argument bound to it. */
        final int[] argumentOf;
        final QualifiedType<?>[] argumentTypes;
        final Integer queryTimeout;
        final RowMapper<?> mapper;
        /** Jdbi's collector of the return type (List, Optional, ...), or null for a single value. */
        final Collector<Object, Object, Object> collector;
        final String primitiveMessage;

        Plan(Handle handle, ConfigRegistry config, StatementContext context, String sql, String rendered, int[] argumentOf,
             QualifiedType<?>[] argumentTypes, Integer queryTimeout, RowMapper<?> mapper,
             Collector<Object, Object, Object> collector, String primitiveMessage) {
            this.handle = handle;
            this.config = config;
            this.context = context;
            this.sql = sql;
            this.rendered = rendered;
            this.argumentOf = argumentOf;
            this.argumentTypes = argumentTypes;
            this.queryTimeout = queryTimeout;
            this.mapper = mapper;
            this.collector = collector;
            this.primitiveMessage = primitiveMessage;
        }
    }

    /** A plan that says "go through Jdbi" for this handle. */
    private static final Object UNSUPPORTED = new Object();

    private static final class DirectHandler implements ExtensionHandler {
        private final ExtensionHandler base;
        private final Class<?> type;
        private final Method method;
        private final Shape shape;
        /** One thread's plans by handle; a thread keeps one handle, so this holds one or two entries. */
        private final ThreadLocal<Map<Handle, Object>> plans = ThreadLocal.withInitial(() -> new HashMap<>(4));

        DirectHandler(ExtensionHandler base, Class<?> type, Method method, Shape shape) {
            this.base = base;
            this.type = type;
            this.method = method;
            this.shape = shape;
        }

        @Override
        public AttachedExtensionHandler attachTo(ConfigRegistry config, Object target) {
            AttachedExtensionHandler attached = base.attachTo(config, target);
            return new AttachedExtensionHandler() {
                @Override
                public Object invoke(HandleSupplier handleSupplier, Object... args) throws Exception {
                    return DirectHandler.this.invoke(attached, handleSupplier, args);
                }

                @Override
                public void warm(ConfigRegistry c) {
                    attached.warm(c);
                }
            };
        }

        private Object invoke(AttachedExtensionHandler attached, HandleSupplier handleSupplier, Object[] args)
                throws Exception {
            Handle h = handleSupplier.getHandle();
            Connection c = h.getConnection();
            if (!(c instanceof Host host) || !host.directAllowed()) {
                return attached.invoke(handleSupplier, args);
            }
            Plan plan = plan(h, host);
            if (plan == null) {
                return attached.invoke(handleSupplier, args);
            }
            Object[] values = args == null ? new Object[0] : args;
            Argument[] arguments = new Argument[plan.argumentOf.length];
            for (int i = 0; i < arguments.length; i++) {
                int a = plan.argumentOf[i];
                Optional<Argument> found = plan.context.findArgumentFor(plan.argumentTypes[a], values[a]);
                if (found.isEmpty()) {
                    return attached.invoke(handleSupplier, args); // Jdbi reports the unsupported type
                }
                arguments[i] = found.get();
            }
            PreparedStatement ps;
            try {
                ps = c.prepareStatement(plan.sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
            } catch (SQLException e) {
                return replay(host, Step.PREPARE, e, attached, args, handleSupplier);
            }
            Step step = Step.BIND;
            try (PreparedStatement st = ps) {
                if (plan.queryTimeout != null) {
                    st.setQueryTimeout(plan.queryTimeout);
                }
                for (int i = 0; i < arguments.length; i++) {
                    arguments[i].apply(i + 1, st, plan.context);
                }
                step = Step.EXECUTE;
                long begin = System.nanoTime();
                boolean results = st.execute();
                long took = System.nanoTime() - begin;
                if (!shape.query) {
                    int count = st.getUpdateCount();
                    host.noteStatement(plan.rendered, took);
                    host.count(false);
                    return shape.returnType == void.class ? null
                            : shape.returnType == boolean.class || shape.returnType == Boolean.class ? count > 0
                            : (Object) count;
                }
                if (!results) {
                    step = Step.NO_RESULTS;
                    throw new SQLException("no results");
                }
                step = Step.READ;
                Object value;
                try (ResultSet rs = st.getResultSet()) {
                    value = read(plan, rs);
                } catch (RuntimeException e) {
                    // a mapper's or collector's own exception (e.g. Optional with two rows) comes
                    // after the statement ran: Jdbi's SQL logger has seen it by then, so must ours
                    host.noteStatement(plan.rendered, took);
                    throw e;
                }
                host.noteStatement(plan.rendered, took);
                host.count(false);
                if (value == null && shape.returnType.isPrimitive()) {
                    throw new IllegalStateException(plan.primitiveMessage);
                }
                return value;
            } catch (SQLException e) {
                return replay(host, step, e, attached, args, handleSupplier);
            }
        }

        /** Maps the rows as Jdbi's SqlObject returners do: the first row, or all rows into the collector. */
        private static Object read(Plan plan, ResultSet rs) throws SQLException {
            RowMapper<?> m = plan.mapper.specialize(rs, plan.context);
            Collector<Object, Object, Object> collector = plan.collector;
            if (collector == null) {
                return rs.next() ? m.map(rs, plan.context) : null;
            }
            // what Stream.collect does on Jdbi's sequential row stream
            Object acc = collector.supplier().get();
            while (rs.next()) {
                collector.accumulator().accept(acc, m.map(rs, plan.context));
            }
            return collector.characteristics().contains(Collector.Characteristics.IDENTITY_FINISH)
                    ? acc : collector.finisher().apply(acc);
        }

        /**
         * Runs the method through Jdbi on a stand-in statement failing as the real one did, so the
         * caller gets Jdbi's exception; nothing reaches the connection.
         */
        private static Object replay(Host host, Step step, SQLException failure, AttachedExtensionHandler attached,
                                     Object[] args, HandleSupplier handleSupplier) throws Exception {
            return host.replaying(new Replay(step, failure), () -> attached.invoke(handleSupplier, args));
        }

        private Plan plan(Handle h, Host host) {
            Map<Handle, Object> mine = plans.get();
            Object p = mine.get(h);
            ConfigRegistry config = h.getConfig();
            if (p instanceof Plan plan && plan.config == config) {
                return plan;
            }
            if (p == UNSUPPORTED) {
                return null;
            }
            if (mine.size() > 8) {
                mine.clear(); // handles of finished calls: a thread's live handles are one or two
            }
            Plan made = make(h, config, host);
            mine.put(h, made == null ? UNSUPPORTED : made);
            host.count(true);
            return made;
        }

        private Plan make(Handle h, ConfigRegistry config, Host host) {
            try {
                SqlStatements statements = config.get(SqlStatements.class);
                SqlObjects objects = config.get(SqlObjects.class);
                if (!host.isOwnLogger(statements.getSqlLogger()) || h.getStatementBuilder().getClass() != DefaultStatementBuilder.class
                        || objects.getSqlLocator().getClass() != AnnotationSqlLocator.class) {
                    return null;
                }
                String raw = objects.getSqlLocator().locate(type, method, config);
                SqlStatement<?> statement = shape.query ? h.createQuery(raw) : h.createUpdate(raw);
                StatementContext ctx = statement.getContext();
                String rendered = statements.getTemplateEngine().render(raw, ctx);
                ParsedSql parsed = statements.getSqlParser().parse(rendered, ctx);
                int[] argumentOf = bindings(parsed.getParameters(), statements.isUnusedBindingAllowed());
                if (argumentOf == null) {
                    return null;
                }
                Parameter[] params = method.getParameters();
                QualifiedType<?>[] types = new QualifiedType<?>[params.length];
                for (int i = 0; i < params.length; i++) {
                    types[i] = QualifiedType.of(GenericTypes.resolveType(params[i].getParameterizedType(), type));
                }
                RowMapper<?> mapper = null;
                Collector<Object, Object, Object> collector = null;
                String primitive = null;
                if (shape.query) {
                    // as Jdbi's SqlObject returners decide: a collector for the return type means
                    // the rows of its element type are collected, otherwise the first row is mapped
                    Type element = shape.genericReturn;
                    Optional<Collector<?, ?, ?>> found = ctx.findCollectorFor(shape.genericReturn);
                    if (found.isPresent()) {
                        Optional<Type> e = ctx.findElementTypeFor(shape.genericReturn);
                        if (e.isEmpty()) {
                            return null;
                        }
                        element = e.get();
                        @SuppressWarnings("unchecked")
                        Collector<Object, Object, Object> c = (Collector<Object, Object, Object>) found.get();
                        collector = c;
                    } else if (!(shape.genericReturn instanceof Class<?>)) {
                        return null;
                    }
                    Optional<RowMapper<?>> m = ctx.findMapperFor(element);
                    if (m.isEmpty()) {
                        return null; // Jdbi reports the missing mapper
                    }
                    mapper = m.get();
                    primitive = "SQL method returns primitive " + QualifiedType.of(shape.genericReturn)
                            + ", but statement returned no results";
                }
                return new Plan(h, config, ctx, parsed.getSql(), rendered, argumentOf, types, statements.getQueryTimeout(),
                        mapper, collector, primitive);
            } catch (RuntimeException e) {
                return null; // whatever Jdbi would refuse, it refuses itself
            }
        }

        /** @return for each SQL parameter the method argument bound to it, or null when Jdbi would bind differently or refuse */
        private int[] bindings(ParsedParameters parameters, boolean unusedAllowed) {
            String[] names = shape.bindNames;
            if (parameters.isPositional()) {
                for (String n : names) {
                    if (n != null) {
                        return null;
                    }
                }
                if (parameters.getParameterCount() != names.length) {
                    return null;
                }
                int[] of = new int[names.length];
                for (int i = 0; i < of.length; i++) {
                    of[i] = i;
                }
                return of;
            }
            Map<String, Integer> byName = new HashMap<>();
            for (int i = 0; i < names.length; i++) {
                if (names[i] == null) {
                    return null;
                }
                byName.put(names[i], i);
            }
            List<String> used = parameters.getParameterNames();
            int[] of = new int[used.size()];
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < of.length; i++) {
                Integer a = byName.get(used.get(i));
                if (a == null) {
                    return null;
                }
                of[i] = a;
                seen.add(used.get(i));
            }
            if (!unusedAllowed && seen.size() != byName.size()) {
                return null;
            }
            return of;
        }
    }

    /**
     * A statement that fails as the real one did: at {@code prepare} (thrown by the caller), on
     * any bind, on execute, on reading the result set, or by having no result set.
     */
    static PreparedStatement standIn(Replay replay) {
        Object[] holder = new Object[1];
        ResultSet rs = (ResultSet) Proxy.newProxyInstance(DirectSql.class.getClassLoader(),
                new Class<?>[] {ResultSet.class}, (proxy, m, a) -> {
                    String n = m.getName();
                    if (n.equals("close")) {
                        return null;
                    }
                    if (n.equals("getStatement")) {
                        return holder[0];
                    }
                    if (n.equals("isClosed")) {
                        return false;
                    }
                    throw replay.failure();
                });
        PreparedStatement ps = (PreparedStatement) Proxy.newProxyInstance(DirectSql.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, (proxy, m, a) -> {
                    String n = m.getName();
                    Step s = replay.step();
                    if (s == Step.BIND && n.startsWith("set") && !n.equals("setQueryTimeout")) {
                        throw replay.failure();
                    }
                    if (n.startsWith("execute")) {
                        if (s == Step.EXECUTE || s == Step.BIND) {
                            throw replay.failure();
                        }
                        if (n.equals("execute")) {
                            return s == Step.READ;
                        }
                        if (n.equals("executeQuery")) {
                            if (s == Step.READ) {
                                return rs;
                            }
                            throw replay.failure();
                        }
                        return 0;
                    }
                    if (n.equals("getResultSet")) {
                        return s == Step.READ ? rs : null;
                    }
                    if (n.equals("getUpdateCount")) {
                        return -1;
                    }
                    if (n.equals("toString")) {
                        return "stand-in statement replaying " + replay.failure();
                    }
                    if (n.equals("hashCode")) {
                        return System.identityHashCode(proxy);
                    }
                    if (n.equals("equals")) {
                        return proxy == a[0];
                    }
                    return defaultValue(m.getReturnType());
                });
        holder[0] = ps;
        return ps;
    }

    private static Object defaultValue(Class<?> type) {
        if (!type.isPrimitive() || type == void.class) {
            return null;
        }
        if (type == boolean.class) {
            return false;
        }
        if (type == long.class) {
            return 0L;
        }
        if (type == double.class) {
            return 0.0d;
        }
        if (type == float.class) {
            return 0.0f;
        }
        if (type == byte.class) {
            return (byte) 0;
        }
        if (type == short.class) {
            return (short) 0;
        }
        if (type == char.class) {
            return (char) 0;
        }
        return 0;
    }
}
