package dev.dbagent.internal.jmx;

import dev.dbagent.OperationRefusedException;
import dev.dbagent.internal.jmx.remote.Callers;
import dev.dbagent.mbeans.Notifications;
import dev.dbagent.mbeans.OperationResultInfo;
import dev.dbagent.mbeans.OperationsMXBean;
import dev.dbagent.mbeans.StepInfo;
import dev.dbagent.ops.AuditEvent;
import dev.dbagent.ops.AuditListener;
import dev.dbagent.ops.OperationResult;
import dev.dbagent.ops.Operations;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;

/**
 * {@link OperationsMXBean} over {@link Operations}: runs each operation as the JMX caller
 * ({@link Callers#current()}), maps the result to open types and the failures to JDK exceptions,
 * and emits {@value Notifications#OPS_COMPLETED} for every audited invocation.
 *
 * <p>Operations that change the database ({@code init}, {@code migrate}, {@code reset},
 * {@code releaseLock}) run one at a time per agent: a second one is refused with
 * {@code IllegalStateException("<op> refused: another operation is running (...)")} rather than
 * queued behind the first (a queued migrate would surprise whoever sent it minutes later).
 *
 * <p>Failures, as the contract says: a refusal is {@code IllegalStateException("<op> refused: ...")}
 * (a bad, used or expired reset token is an {@code IllegalArgumentException}); a changing operation
 * whose result is unsuccessful, or a check that could not reach the database, is
 * {@code IllegalStateException("<op> failed: ...")}. A check that ran and answered "no" returns
 * {@code success=false}.
 *
 * <p>Thread-safe. Operations block while they work, within the agent's timeouts; the notification
 * is sent on the calling thread after the audit record is written.
 */
final class OperationsMXBeanAdapter extends NotificationBroadcasterSupport implements OperationsMXBean {
    /** Audit names of the operations that change the database. */
    private static final Set<String> CHANGING = Set.of("init", "migrate", "reset", "release-lock");

    private final Operations operations;
    private final ObjectName name;
    private final Clock clock;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicReference<String> running = new AtomicReference<>();
    private final AuditListener listener = this::onAudit;

    /**
     * @param operations the agent's operations (auditing as {@code local}; each call is re-bound to
     *     the JMX caller)
     * @param name this bean's ObjectName (the notifications' source)
     * @param clock the agent's clock, for notifications sent without an audit event
     */
    OperationsMXBeanAdapter(Operations operations, ObjectName name, Clock clock) {
        super(Notifications.opsCompletedInfo());
        this.operations = Objects.requireNonNull(operations, "operations");
        this.name = Objects.requireNonNull(name, "name");
        this.clock = Objects.requireNonNull(clock, "clock");
        operations.addAuditListener(listener);
    }

    /** Stops turning audit events into notifications. Idempotent. */
    void close() {
        operations.removeAuditListener(listener);
    }


    // ------------------------------------------------------------------ audit -> notification

    private void onAudit(AuditEvent e) {
        String operation = camel(e.operation());
        notify(operation, arguments(e.arguments()), e.caller(), outcome(e), e.duration().toMillis(),
                e.at().plus(e.duration()).toEpochMilli(), e.outcome());
    }

    private void notify(String operation, String arguments, String caller, String outcome, long millis, long at,
            String summary) {
        sendNotification(Notifications.opsCompleted(name, sequence.incrementAndGet(), at, operation, arguments,
                caller, outcome, millis, summary.replace('\n', ' ')));
    }

    static String outcome(AuditEvent e) {
        if (e.success()) {
            return Notifications.OUTCOME_SUCCEEDED;
        }
        if (e.outcome().startsWith("refused")) {
            return Notifications.OUTCOME_REFUSED;
        }
        if (CHANGING.contains(e.operation()) || e.outcome().startsWith("error:")) {
            return Notifications.OUTCOME_FAILED;
        }
        return Notifications.OUTCOME_ANSWERED_NO;
    }

    /** Renders arguments as {@code k=v, k=v} in key order, leaving out tokens entirely. */
    static String arguments(Map<String, String> arguments) {
        return new TreeMap<>(arguments).entrySet().stream()
                .filter(a -> !a.getKey().toLowerCase(Locale.ROOT).contains("token"))
                .map(a -> a.getKey() + "=" + a.getValue())
                .collect(Collectors.joining(", "));
    }

    /** {@code release-lock} is the MXBean's {@code releaseLock}. */
    static String camel(String auditName) {
        StringBuilder sb = new StringBuilder(auditName.length());
        boolean upper = false;
        for (char c : auditName.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ operations

    @Override
    public OperationResultInfo init() {
        return changing("init", "init", Map.of(), Operations::init);
    }

    @Override
    public OperationResultInfo migrate() {
        return changing("migrate", "migrate", Map.of(), Operations::migrate);
    }

    @Override
    public OperationResultInfo status() {
        return check("status", Operations::status);
    }

    @Override
    public OperationResultInfo validate() {
        return check("validate", Operations::validate);
    }

    @Override
    public OperationResultInfo verify() {
        return check("verify", Operations::verify);
    }

    @Override
    public OperationResultInfo drift() {
        return check("drift", Operations::drift);
    }

    @Override
    public String prepareReset() {
        try {
            return operations.as(Callers.current()).prepareReset().value();
        } catch (OperationRefusedException e) {
            throw JmxErrors.refused("reset", JmxErrors.clean(e.getMessage()));
        } catch (RuntimeException e) {
            throw JmxErrors.translate("prepareReset", e);
        }
    }

    @Override
    public OperationResultInfo reset(String token) {
        return changing("reset", "reset", Map.of(), ops -> {
            try {
                return ops.reset(token);
            } catch (OperationRefusedException e) {
                String message = JmxErrors.clean(e.getMessage());
                if (message.contains("reset token")) {
                    throw new IllegalArgumentException(message);
                }
                throw e;
            }
        });
    }

    @Override
    public OperationResultInfo releaseLock(boolean force) {
        return changing("releaseLock", "release-lock", Map.of("force", String.valueOf(force)), ops -> ops.releaseLock(force));
    }

    @Override
    public OperationResultInfo profile() {
        return check("profile", Operations::profile);
    }

    @Override
    public OperationResultInfo health() {
        return check("health", Operations::health);
    }

    /** A read-only operation: {@code success=false} is an answer, an {@code error:} summary a failure. */
    private OperationResultInfo check(String operation, Function<Operations, OperationResult> body) {
        OperationResult r = invoke(operation, body);
        if (!r.success() && r.summary().startsWith("error:")) {
            throw JmxErrors.failed(operation, JmxErrors.clean(r.summary().substring("error:".length()).strip()));
        }
        return info(r);
    }

    /** An operation that changes the database: one at a time, and an unsuccessful result throws. */
    private OperationResultInfo changing(String operation, String auditName, Map<String, String> arguments,
            Function<Operations, OperationResult> body) {
        String caller = Callers.current();
        String mine = operation + " by " + caller;
        String other = running.compareAndExchange(null, mine);
        if (other != null) {
            String reason = "another operation is running (" + other + "); operations that change the database"
                    + " run one at a time, try again when it has finished";
            // audited like any refusal: log, audit table, and the notification through onAudit
            operations.as(caller).auditRefusal(auditName, arguments, reason);
            throw JmxErrors.refused(operation, reason);
        }
        try {
            OperationResult r = invoke(operation, body);
            if (!r.success()) {
                throw JmxErrors.failed(operation, JmxErrors.clean(r.summary()));
            }
            return info(r);
        } finally {
            running.set(null);
        }
    }

    private OperationResult invoke(String operation, Function<Operations, OperationResult> body) {
        try {
            return body.apply(operations.as(Callers.current()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(JmxErrors.clean(e.getMessage()));
        } catch (RuntimeException e) {
            throw JmxErrors.translate(operation, e);
        }
    }

    private static OperationResultInfo info(OperationResult r) {
        StepInfo[] steps = r.steps().stream().map(s -> new StepInfo(s.name(), s.millis(), s.detail()))
                .toArray(StepInfo[]::new);
        return new OperationResultInfo(camel(r.operation()), r.success(), r.summary(), r.toText(),
                r.duration().toMillis(), steps, r.warnings().toArray(new String[0]));
    }

    @Override
    public String toString() {
        return "OperationsMXBeanAdapter[" + name + "]";
    }
}
