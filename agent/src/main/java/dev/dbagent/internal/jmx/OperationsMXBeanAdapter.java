package dev.dbagent.internal.jmx;

import dev.dbagent.internal.jmx.remote.Callers;
import dev.dbagent.mbeans.Notifications;
import dev.dbagent.mbeans.OperationResultInfo;
import dev.dbagent.mbeans.OperationsMXBean;
import dev.dbagent.mbeans.StepInfo;
import dev.dbagent.ops.AuditEvent;
import dev.dbagent.ops.AuditListener;
import dev.dbagent.ops.Operation;
import dev.dbagent.ops.OperationOutcome;
import dev.dbagent.ops.Progress;
import dev.dbagent.ops.ProgressListener;
import dev.dbagent.ops.OperationResult;
import dev.dbagent.ops.Operations;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.management.ObjectName;

/**
 * {@link OperationsMXBean} over one database's {@link Operations}: runs each operation as the JMX
 * caller ({@link Callers#current()}), maps the result to open types and the failures to JDK
 * exceptions, and emits {@value Notifications#OPS_COMPLETED} for every audited invocation.
 *
 * <p>The policy (one at a time, tokens, catalogue, environment) is decided by {@link Operations}
 * and arrives here as types; this adapter only translates. As the contract says: a refusal is
 * {@code IllegalStateException("<op> refused: ...")} (a bad, used, superseded or expired reset
 * token is an {@code IllegalArgumentException}); an outcome {@link OperationOutcome#FAILED} is
 * {@code IllegalStateException("<op> failed: ...")}; {@link OperationOutcome#ANSWERED_NO} returns
 * {@code success=false}.
 *
 * <p>Thread-safe. Operations block while they work, within the agent's timeouts; the notification
 * is sent on the calling thread after the audit record is written.
 */
final class OperationsMXBeanAdapter extends InstanceBroadcaster implements OperationsMXBean {
    private final Operations operations;
    private final ObjectName name;
    private final AtomicLong sequence = new AtomicLong();
    private final AuditListener listener = this::onAudit;
    private final ProgressListener progressListener = this::onProgress;

    /* set once by AgentManagement before registration; "" when the agent has no instance id */

    /**
     * @param operations the database's operations (auditing as {@code local}; each call is re-bound
     *     to the JMX caller)
     * @param name this bean's ObjectName (the notifications' source)
     * @param clock unused; kept for the registration signature
     */
    OperationsMXBeanAdapter(Operations operations, ObjectName name, Clock clock) {
        super(Notifications.operationsInfo());
        this.operations = Objects.requireNonNull(operations, "operations");
        this.name = Objects.requireNonNull(name, "name");
        Objects.requireNonNull(clock, "clock");
        operations.addAuditListener(listener);
        operations.addProgressListener(progressListener);
    }

    /** Stops turning audit events and progress into notifications. Idempotent. */
    void close() {
        operations.removeAuditListener(listener);
        operations.removeProgressListener(progressListener);
    }

    private void onProgress(Progress p) {
        String operation = Operation.byName(p.operation()).map(Operation::jmxName).orElse(p.operation());
        sendNotification(Notifications.opsProgress(name, sequence.incrementAndGet(), p.at().toEpochMilli(), operation,
                p.step(), p.total(), p.current()));
    }

    // ------------------------------------------------------------------ audit -> notification

    private void onAudit(AuditEvent e) {
        String operation = Operation.byName(e.operation()).map(Operation::jmxName).orElse(e.operation());
        sendNotification(Notifications.opsCompleted(name, sequence.incrementAndGet(),
                e.at().plus(e.duration()).toEpochMilli(), operation, arguments(e.arguments()), e.caller(),
                outcome(e.outcome()), e.duration().toMillis(), e.summary().replace('\n', ' ')));
    }

    static String outcome(OperationOutcome outcome) {
        return switch (outcome) {
            case SUCCEEDED -> Notifications.OUTCOME_SUCCEEDED;
            case ANSWERED_NO -> Notifications.OUTCOME_ANSWERED_NO;
            case REFUSED -> Notifications.OUTCOME_REFUSED;
            case FAILED -> Notifications.OUTCOME_FAILED;
        };
    }

    /** Renders arguments as {@code k=v, k=v} in key order, leaving out tokens entirely. */
    static String arguments(Map<String, String> arguments) {
        return new TreeMap<>(arguments).entrySet().stream()
                .filter(a -> !a.getKey().toLowerCase(Locale.ROOT).contains("token"))
                .map(a -> a.getKey() + "=" + a.getValue())
                .collect(Collectors.joining(", "));
    }

    // ------------------------------------------------------------------ operations

    @Override
    public OperationResultInfo init() {
        return call(Operation.INIT, Operations::init);
    }

    @Override
    public OperationResultInfo migrate() {
        return call(Operation.MIGRATE, Operations::migrate);
    }

    @Override
    public OperationResultInfo status() {
        return call(Operation.STATUS, Operations::status);
    }

    @Override
    public OperationResultInfo validate() {
        return call(Operation.VALIDATE, Operations::validate);
    }

    @Override
    public OperationResultInfo verify() {
        return call(Operation.VERIFY, Operations::verify);
    }

    @Override
    public OperationResultInfo drift() {
        return call(Operation.DRIFT, Operations::drift);
    }

    @Override
    public String prepareReset() {
        try {
            return operations.as(Callers.current()).prepareReset().value();
        } catch (RuntimeException e) {
            // the contract names the refusal after what it guards: "reset refused: ..."
            throw JmxErrors.translate(Operation.RESET.jmxName(), e);
        }
    }

    @Override
    public OperationResultInfo reset(String token) {
        return call(Operation.RESET, ops -> ops.reset(token));
    }

    @Override
    public OperationResultInfo releaseLock(boolean force) {
        return call(Operation.RELEASE_LOCK, ops -> ops.releaseLock(force));
    }

    @Override
    public OperationResultInfo profile() {
        return call(Operation.PROFILE, Operations::profile);
    }

    @Override
    public OperationResultInfo health() {
        return call(Operation.HEALTH, Operations::health);
    }

    @Override
    public String getProgress() {
        return operations.progress().map(Progress::describe).orElse("idle");
    }

    @Override
    public String prepareRollback() {
        try {
            return operations.as(Callers.current()).prepareRollback().value();
        } catch (RuntimeException e) {
            throw JmxErrors.translate(Operation.ROLLBACK.jmxName(), e);
        }
    }

    @Override
    public OperationResultInfo rollback(int count, String token) {
        return call(Operation.ROLLBACK, ops -> ops.rollback(count, token));
    }

    @Override
    public OperationResultInfo rollbackToTag(String tag, String token) {
        return call(Operation.ROLLBACK, ops -> ops.rollbackToTag(tag, token));
    }

    @Override
    public OperationResultInfo preview() {
        return call(Operation.PREVIEW, Operations::preview);
    }

    @Override
    public OperationResultInfo changelogSync() {
        return call(Operation.CHANGELOG_SYNC, Operations::changelogSync);
    }

    @Override
    public OperationResultInfo repairChecksums() {
        return call(Operation.REPAIR_CHECKSUMS, Operations::repairChecksums);
    }

    private OperationResultInfo call(Operation operation, Function<Operations, OperationResult> body) {
        OperationResult r;
        try {
            r = body.apply(operations.as(Callers.current()));
        } catch (RuntimeException e) {
            throw JmxErrors.translate(operation.jmxName(), e);
        }
        if (r.outcome() == OperationOutcome.FAILED) {
            String summary = JmxErrors.clean(r.summary());
            // an "error:" summary is the agent's wording for a check that could not run at all
            throw JmxErrors.failed(operation.jmxName(), summary.startsWith("error:")
                    ? summary.substring("error:".length()).strip() : summary);
        }
        return info(r);
    }

    private static OperationResultInfo info(OperationResult r) {
        StepInfo[] steps = r.steps().stream().map(s -> new StepInfo(s.name(), s.millis(), s.detail()))
                .toArray(StepInfo[]::new);
        String operation = Operation.byName(r.operation()).map(Operation::jmxName).orElse(r.operation());
        return new OperationResultInfo(operation, r.success(), r.summary(), r.toText(),
                r.duration().toMillis(), steps, r.warnings().toArray(new String[0]));
    }

    @Override
    public String toString() {
        return "OperationsMXBeanAdapter[" + name + "]";
    }
}
