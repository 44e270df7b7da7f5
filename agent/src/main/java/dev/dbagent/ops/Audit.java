package dev.dbagent.ops;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit seam of {@link Operations}: every operation, refusal included, goes to the log, to the
 * table {@code dbagent.audit_log} of the database it acted on, and to the listeners (the JMX
 * layer turns them into notifications). A failure to write the table is logged, never thrown:
 * the operation's own outcome stands. Thread-safe.
 */
final class Audit {
    private static final Logger LOG = LoggerFactory.getLogger(Operations.class);
    private static final Pattern SECRET = Pattern.compile("(?i).*(password|secret|token|credential).*");

    private final Coordinates coordinates;
    private final List<AuditListener> listeners = new CopyOnWriteArrayList<>();

    Audit(Coordinates coordinates, List<AuditListener> initial) {
        this.coordinates = coordinates;
        listeners.addAll(initial);
    }

    void add(AuditListener listener) {
        listeners.add(listener);
    }

    void remove(AuditListener listener) {
        listeners.remove(listener);
    }

    /** @return the arguments with every secret-looking key's value replaced by {@code ****} */
    static Map<String, String> mask(Map<String, String> arguments) {
        Map<String, String> out = new LinkedHashMap<>();
        arguments.forEach((k, v) -> out.put(k, SECRET.matcher(k).matches() ? "****" : v));
        return out;
    }

    void record(AuditEvent e) {
        LOG.info("audit agent={} instance={} caller={} operation={} arguments={} outcome={} duration={}ms summary={}",
                e.agent(), e.instance(), e.caller(), e.operation(), e.arguments(), e.outcome(),
                e.duration().toMillis(), e.summary());
        try (Connection c = coordinates.open("audit")) {
            try {
                AgentSchema.audit(c, e);
            } catch (SQLException missing) {
                AgentSchema.ensure(c);
                AgentSchema.audit(c, e);
            }
        } catch (SQLException ex) {
            LOG.warn("could not write audit record of {} to {}.audit_log: {}", e.operation(), AgentSchema.SCHEMA,
                    Sql.describe(ex));
        }
        for (AuditListener l : listeners) {
            try {
                l.onOperation(e);
            } catch (RuntimeException ex) {
                LOG.warn("audit listener {} failed: {}", l, ex.toString());
            }
        }
    }
}
