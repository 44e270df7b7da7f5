package dev.dbagent.mbeans;

import java.util.Objects;
import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;

/**
 * The notifications dbagent beans emit, and how they are built.
 *
 * <p>Every notification is a plain {@link Notification} whose source is the emitting bean's
 * {@link javax.management.ObjectName}, whose message is one human-readable line, and whose
 * {@code userData} is a {@link CompositeData} of the {@link CompositeType} named here — an open
 * type, so JConsole, jmxterm and Jolokia show it and a remote listener reads it with
 * {@code ((CompositeData) n.getUserData()).get("to")} and no dbagent classes. Item values are
 * never null (absent values are {@code ""}). Every type also carries {@code instance}: the emitting
 * agent's instance id ({@code dbagent.instance}), so that listeners of many instances of one
 * application tell them apart; the factories leave it {@code ""} and the agent fills it in with
 * {@link #withInstance(Notification, String)}.
 *
 * <table>
 *   <caption>Notification types</caption>
 *   <tr><th>type</th><th>emitted by</th><th>when</th><th>userData items</th></tr>
 *   <tr><td>{@value #BREAKER_STATE}</td><td>{@link CircuitBreakerMXBean}</td><td>every state
 *       transition</td><td>database, layer, role, from, to, cause</td></tr>
 *   <tr><td>{@value #HEALTH_STATUS}</td><td>{@link HealthMXBean}</td><td>the overall status
 *       changed between two runs</td><td>from, to, summary</td></tr>
 *   <tr><td>{@value #OPS_COMPLETED}</td><td>{@link OperationsMXBean}</td><td>every operation
 *       invocation ended: succeeded, answered "no", refused or failed</td><td>operation,
 *       arguments, caller, outcome, success, durationMillis, summary</td></tr>
 *   <tr><td>{@value #OPS_PROGRESS}</td><td>{@link OperationsMXBean}</td><td>a long operation
 *       (migrate, init, reset, validate, drift, profile, rollback) starts its next changeset</td>
 *       <td>operation, step, total, current</td></tr>
 * </table>
 *
 * <p>The factories are static, pure and thread-safe; the caller supplies the sequence number
 * and timestamp (from the agent's injected clock).
 */
public final class Notifications {

    /** A circuit breaker changed state. userData: {@link #BREAKER_STATE_DATA}. */
    public static final String BREAKER_STATE = "dev.dbagent.breaker.state";
    /** The overall health status changed. userData: {@link #HEALTH_STATUS_DATA}. */
    public static final String HEALTH_STATUS = "dev.dbagent.health.status";
    /** An operation invocation ended, whatever its outcome. userData: {@link #OPS_COMPLETED_DATA}. */
    public static final String OPS_COMPLETED = "dev.dbagent.ops.completed";
    /** A long operation moved to its next step. userData: {@link #OPS_PROGRESS_DATA}. */
    public static final String OPS_PROGRESS = "dev.dbagent.ops.progress";
    /** A live change of a pool (resize, soft eviction, credential rotation), emitted by the Pool bean. */
    public static final String POOL_CHANGED = "dev.dbagent.pool.changed";

    /** {@code outcome} of an operation that returned with {@code success == true}. */
    public static final String OUTCOME_SUCCEEDED = "SUCCEEDED";
    /** {@code outcome} of an operation that returned with {@code success == false}. */
    public static final String OUTCOME_ANSWERED_NO = "ANSWERED_NO";
    /** {@code outcome} of an operation that threw "refused" before changing anything. */
    public static final String OUTCOME_REFUSED = "REFUSED";
    /** {@code outcome} of an operation that threw after it started. */
    public static final String OUTCOME_FAILED = "FAILED";

    /** The userData item every type carries: the emitting agent's instance id. */
    public static final String INSTANCE_ITEM = "instance";

    private static final String[] BREAKER_ITEMS = {"database", "layer", "role", "from", "to", "cause", INSTANCE_ITEM};
    private static final String[] HEALTH_ITEMS = {"from", "to", "summary", INSTANCE_ITEM};
    private static final String[] OPS_ITEMS =
        {"operation", "arguments", "caller", "outcome", "success", "durationMillis", "summary", INSTANCE_ITEM};
    private static final String[] PROGRESS_ITEMS = {"operation", "step", "total", "current", INSTANCE_ITEM};
    private static final String[] POOL_ITEMS =
        {"database", "role", "action", "arguments", "caller", "outcome", "summary", INSTANCE_ITEM};
    private static final String INSTANCE_DESCRIPTION = "the emitting agent's instance id (dbagent.instance)";

    /**
     * userData of {@value #BREAKER_STATE}: {@code database}, {@code layer} ({@code pool} or
     * {@code service}), {@code role} ({@code primary}/{@code replica-N}, {@code ""} for the
     * service layer), {@code from} and {@code to} (state names) and {@code cause} (why, e.g.
     * {@code "failure rate 60.0% >= 50.0%"} or {@code "forceOpen by jmx:alice"}); all Strings.
     */
    public static final CompositeType BREAKER_STATE_DATA = type("dev.dbagent.breaker.state",
            "A circuit breaker state transition",
            BREAKER_ITEMS,
            new String[] {"configured database name", "pool or service", "primary or replica-N; empty for service",
                "state before", "state after", "why the transition happened", INSTANCE_DESCRIPTION},
            new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING,
                SimpleType.STRING, SimpleType.STRING, SimpleType.STRING});

    /**
     * userData of {@value #HEALTH_STATUS}: {@code from} and {@code to} (status names:
     * {@code UNKNOWN}, {@code UP}, {@code DEGRADED}, {@code DOWN}) and {@code summary} (the
     * most severe issues, one line); all Strings.
     */
    public static final CompositeType HEALTH_STATUS_DATA = type("dev.dbagent.health.status",
            "An overall health status change",
            HEALTH_ITEMS,
            new String[] {"status before", "status after", "the most severe issues, one line", INSTANCE_DESCRIPTION},
            new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING});

    /**
     * userData of {@value #OPS_COMPLETED}: {@code operation} (e.g. {@code migrate}),
     * {@code arguments} (e.g. {@code "force=true"}, {@code ""} if none; never a reset token),
     * {@code caller} (the JMX subject's principal as {@code jmx:<name>}, the Jolokia user as
     * {@code jolokia:<name>}, or {@code local} for an unauthenticated in-process call),
     * {@code outcome} (one of the {@code OUTCOME_*} constants), {@code success} (Boolean: true
     * only for {@link #OUTCOME_SUCCEEDED}), {@code durationMillis} (Long) and {@code summary}
     * (the result's summary or the exception's message).
     */
    public static final CompositeType OPS_COMPLETED_DATA = type("dev.dbagent.ops.completed",
            "An operation invocation that ended",
            OPS_ITEMS,
            new String[] {"operation name", "arguments, rendered; never a token", "who invoked it",
                "SUCCEEDED, ANSWERED_NO, REFUSED or FAILED", "true only if SUCCEEDED", "how long it took, ms",
                "result summary or failure message", INSTANCE_DESCRIPTION},
            new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING,
                SimpleType.BOOLEAN, SimpleType.LONG, SimpleType.STRING, SimpleType.STRING});

    /**
     * userData of {@value #OPS_PROGRESS}: {@code operation} (e.g. {@code migrate}), {@code step}
     * (Integer, 1-based), {@code total} (Integer, 0 when not known in advance) and {@code current}
     * (the changeset now running, {@code id (author)}).
     */
    public static final CompositeType OPS_PROGRESS_DATA = type("dev.dbagent.ops.progress",
            "Where a long operation is",
            PROGRESS_ITEMS,
            new String[] {"operation name", "the step now running, from 1", "how many steps, 0 if unknown",
                "the changeset now running", INSTANCE_DESCRIPTION},
            new OpenType<?>[] {SimpleType.STRING, SimpleType.INTEGER, SimpleType.INTEGER, SimpleType.STRING,
                SimpleType.STRING});

    /**
     * userData of {@value #POOL_CHANGED}: {@code database}, {@code role} ({@code primary} or
     * {@code replica-N}), {@code action} ({@code resize}, {@code soft-evict} or
     * {@code rotate-credentials}), {@code arguments} (rendered, never a secret), {@code caller},
     * {@code outcome} ({@link #OUTCOME_SUCCEEDED} or {@link #OUTCOME_REFUSED}) and {@code summary};
     * all Strings.
     */
    public static final CompositeType POOL_CHANGED_DATA = type("dev.dbagent.pool.changed",
            "A live change of a pool",
            POOL_ITEMS,
            new String[] {"configured database name", "primary or replica-N", "resize, soft-evict or rotate-credentials",
                "arguments, rendered; never a secret", "who invoked it", "SUCCEEDED or REFUSED",
                "what changed, or why it was refused", INSTANCE_DESCRIPTION},
            new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING,
                SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING});

    private Notifications() {
    }

    /**
     * Builds a {@value #POOL_CHANGED} notification. Message:
     * {@code "<action> of <database>/<role> by <caller> <outcome>: <summary>"}.
     *
     * @param source the Pool bean's ObjectName
     * @param sequence the emitter's next sequence number
     * @param timeMillis when it happened, epoch milliseconds
     * @param database the database
     * @param role the pool's role
     * @param action {@code resize}, {@code soft-evict} or {@code rotate-credentials}
     * @param arguments arguments rendered, {@code ""} if none; never a secret
     * @param caller who invoked it
     * @param outcome {@link #OUTCOME_SUCCEEDED} or {@link #OUTCOME_REFUSED}
     * @param summary what changed, or why it was refused
     * @return the notification
     * @throws NullPointerException if an argument is null
     */
    public static Notification poolChanged(Object source, long sequence, long timeMillis, String database, String role,
            String action, String arguments, String caller, String outcome, String summary) {
        CompositeData data = data(POOL_CHANGED_DATA, POOL_ITEMS, database, role, action, arguments, caller, outcome,
                summary, "");
        return notification(POOL_CHANGED, source, sequence, timeMillis,
                action + " of " + database + "/" + role + " by " + caller + " " + outcome + ": " + summary, data);
    }

    /**
     * Describes {@value #POOL_CHANGED} for the Pool bean's {@code getNotificationInfo()}.
     *
     * @return a new info
     */
    public static MBeanNotificationInfo poolChangedInfo() {
        return new MBeanNotificationInfo(new String[] {POOL_CHANGED}, Notification.class.getName(),
                "A pool was resized, soft-evicted or given rotated credentials; userData is a CompositeData: database,"
                        + " role, action, arguments, caller, outcome, summary");
    }

    /**
     * Builds an {@value #OPS_PROGRESS} notification. Message:
     * {@code "<operation>: <step> of <total>: <current>"} ({@code ?} for an unknown total).
     *
     * @param source the Operations bean's ObjectName
     * @param sequence the emitter's next sequence number
     * @param timeMillis when the step started, epoch milliseconds
     * @param operation operation name
     * @param step the step now running, from 1
     * @param total how many steps there are, 0 if not known
     * @param current the changeset now running
     * @return the notification
     * @throws NullPointerException if an argument is null
     */
    public static Notification opsProgress(Object source, long sequence, long timeMillis, String operation, int step,
            int total, String current) {
        CompositeData data = data(OPS_PROGRESS_DATA, PROGRESS_ITEMS, operation, step, total, current, "");
        return notification(OPS_PROGRESS, source, sequence, timeMillis,
                operation + ": " + step + " of " + (total > 0 ? Integer.toString(total) : "?") + ": " + current, data);
    }

    /**
     * Describes {@value #OPS_COMPLETED} and {@value #OPS_PROGRESS} for the Operations bean's
     * {@code getNotificationInfo()}.
     *
     * @return two new infos
     */
    public static MBeanNotificationInfo[] operationsInfo() {
        return new MBeanNotificationInfo[] {opsCompletedInfo(), new MBeanNotificationInfo(new String[] {OPS_PROGRESS},
                Notification.class.getName(),
                "A long operation moved to its next changeset; userData is a CompositeData: operation, step, total,"
                        + " current")};
    }

    /**
     * Builds a {@value #BREAKER_STATE} notification. Message:
     * {@code "circuit breaker <database>/<layer>[/<role>] <from> -> <to>: <cause>"}.
     *
     * @param source the emitting breaker's ObjectName
     * @param sequence the emitter's next sequence number
     * @param timeMillis when the transition happened, epoch milliseconds
     * @param database configured database name
     * @param layer {@code pool} or {@code service}
     * @param role the pool's role, or {@code ""} for the service layer
     * @param from state before
     * @param to state after
     * @param cause why
     * @return the notification
     * @throws NullPointerException if an argument is null
     */
    public static Notification breakerState(Object source, long sequence, long timeMillis, String database,
            String layer, String role, String from, String to, String cause) {
        CompositeData data = data(BREAKER_STATE_DATA, BREAKER_ITEMS, database, layer, role, from, to, cause, "");
        String where = database + "/" + layer + (role.isEmpty() ? "" : "/" + role);
        return notification(BREAKER_STATE, source, sequence, timeMillis,
                "circuit breaker " + where + " " + from + " -> " + to + (cause.isEmpty() ? "" : ": " + cause), data);
    }

    /**
     * Builds a {@value #HEALTH_STATUS} notification. Message:
     * {@code "health <from> -> <to>: <summary>"}.
     *
     * @param source the Health bean's ObjectName
     * @param sequence the emitter's next sequence number
     * @param timeMillis when the run that changed the status finished, epoch milliseconds
     * @param from status before
     * @param to status after
     * @param summary the most severe issues, one line; {@code ""} if none
     * @return the notification
     * @throws NullPointerException if an argument is null
     */
    public static Notification healthStatus(Object source, long sequence, long timeMillis, String from, String to,
            String summary) {
        CompositeData data = data(HEALTH_STATUS_DATA, HEALTH_ITEMS, from, to, summary, "");
        return notification(HEALTH_STATUS, source, sequence, timeMillis,
                "health " + from + " -> " + to + (summary.isEmpty() ? "" : ": " + summary), data);
    }

    /**
     * Builds an {@value #OPS_COMPLETED} notification. Message:
     * {@code "<operation> by <caller> <outcome> in <n> ms: <summary>"}, e.g.
     * {@code "migrate by jmx:alice SUCCEEDED in 120 ms: applied 3 changesets"}.
     *
     * @param source the Operations bean's ObjectName
     * @param sequence the emitter's next sequence number
     * @param timeMillis when the operation ended, epoch milliseconds
     * @param operation operation name
     * @param arguments arguments rendered, {@code ""} if none; never a token or a secret
     * @param caller who invoked it
     * @param outcome one of the {@code OUTCOME_*} constants
     * @param durationMillis how long it took
     * @param summary the result's summary or the failure message
     * @return the notification; its {@code success} item is {@code outcome == SUCCEEDED}
     * @throws IllegalArgumentException if {@code outcome} is not an {@code OUTCOME_*} constant
     * @throws NullPointerException if an argument is null
     */
    public static Notification opsCompleted(Object source, long sequence, long timeMillis, String operation,
            String arguments, String caller, String outcome, long durationMillis, String summary) {
        if (!(OUTCOME_SUCCEEDED.equals(outcome) || OUTCOME_ANSWERED_NO.equals(outcome)
                || OUTCOME_REFUSED.equals(outcome) || OUTCOME_FAILED.equals(outcome))) {
            throw new IllegalArgumentException(
                    "outcome must be SUCCEEDED, ANSWERED_NO, REFUSED or FAILED, but was " + outcome);
        }
        CompositeData data = data(OPS_COMPLETED_DATA, OPS_ITEMS, operation, arguments, caller, outcome,
                OUTCOME_SUCCEEDED.equals(outcome), durationMillis, summary, "");
        return notification(OPS_COMPLETED, source, sequence, timeMillis,
                operation + " by " + caller + " " + outcome + " in " + durationMillis + " ms"
                        + (summary.isEmpty() ? "" : ": " + summary), data);
    }

    /**
     * Describes {@value #BREAKER_STATE} for a breaker's {@code getNotificationInfo()}.
     *
     * @return a new info
     */
    public static MBeanNotificationInfo breakerStateInfo() {
        return new MBeanNotificationInfo(new String[] {BREAKER_STATE}, Notification.class.getName(),
                "A circuit breaker changed state; userData is a CompositeData: database, layer, role, from, to, cause");
    }

    /**
     * Describes {@value #HEALTH_STATUS} for the Health bean's {@code getNotificationInfo()}.
     *
     * @return a new info
     */
    public static MBeanNotificationInfo healthStatusInfo() {
        return new MBeanNotificationInfo(new String[] {HEALTH_STATUS}, Notification.class.getName(),
                "The overall health status changed; userData is a CompositeData: from, to, summary");
    }

    /**
     * Describes {@value #OPS_COMPLETED} for the Operations bean's {@code getNotificationInfo()}.
     *
     * @return a new info
     */
    public static MBeanNotificationInfo opsCompletedInfo() {
        return new MBeanNotificationInfo(new String[] {OPS_COMPLETED}, Notification.class.getName(),
                "An operation ended; userData is a CompositeData: operation, arguments, caller, outcome, success,"
                        + " durationMillis, summary");
    }

    /**
     * The same notification with its {@code instance} item set: type, source, sequence number,
     * time stamp, message and every other item are kept.
     *
     * @param n a notification built by one of these factories
     * @param instance the emitting agent's instance id
     * @return a new notification, or {@code n} itself if its userData has no {@code instance} item
     * @throws NullPointerException if an argument is null
     */
    public static Notification withInstance(Notification n, String instance) {
        Objects.requireNonNull(instance, INSTANCE_ITEM);
        if (!(n.getUserData() instanceof CompositeData data) || !data.containsKey(INSTANCE_ITEM)) {
            return n;
        }
        CompositeType type = data.getCompositeType();
        String[] items = type.keySet().toArray(new String[0]);
        Object[] values = data.getAll(items);
        for (int i = 0; i < items.length; i++) {
            if (INSTANCE_ITEM.equals(items[i])) {
                values[i] = instance;
            }
        }
        return notification(n.getType(), n.getSource(), n.getSequenceNumber(), n.getTimeStamp(), n.getMessage(),
                data(type, items, values));
    }

    private static Notification notification(String type, Object source, long sequence, long timeMillis,
            String message, CompositeData data) {
        Notification n = new Notification(type, Objects.requireNonNull(source, "source"), sequence, timeMillis,
                message);
        n.setUserData(data);
        return n;
    }

    private static CompositeData data(CompositeType type, String[] items, Object... values) {
        for (int i = 0; i < values.length; i++) {
            Objects.requireNonNull(values[i], items[i]);
        }
        try {
            return new CompositeDataSupport(type, items, values);
        } catch (OpenDataException e) {
            // unreachable: the values' types are fixed by the factory signatures
            throw new IllegalStateException("userData does not match " + type.getTypeName(), e);
        }
    }

    private static CompositeType type(String name, String description, String[] items, String[] descriptions,
            OpenType<?>[] types) {
        try {
            return new CompositeType(name, description, items, descriptions, types);
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
