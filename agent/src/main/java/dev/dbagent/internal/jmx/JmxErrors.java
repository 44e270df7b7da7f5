package dev.dbagent.internal.jmx;

import dev.dbagent.DbAgentException;
import dev.dbagent.InvalidResetTokenException;
import dev.dbagent.OperationRefusedException;
import dev.dbagent.config.JdbcUrls;

/**
 * Turns what an agent component throws into the JDK exceptions the management contract promises,
 * so that a remote client (JConsole, jmxterm, Jolokia) needs no dbagent classes to read a failure.
 *
 * <p>The original exception is never attached as a cause: its class (or its cause's) may not exist
 * on the client, and deserializing it would hide the message. Messages are masked with
 * {@link JdbcUrls#maskText(String)} in case a driver message carries a URL. Stateless and thread-safe.
 */
final class JmxErrors {
    private JmxErrors() {
    }

    /**
     * @param operation the MXBean operation name, e.g. {@code migrate}
     * @param e what the component threw
     * @return {@code IllegalArgumentException} for a bad reset token,
     *     {@code IllegalStateException("<op> refused: ...")} for any other refusal,
     *     {@code IllegalArgumentException} for a bad argument, else
     *     {@code IllegalStateException("<op> failed: ...")}
     */
    static RuntimeException translate(String operation, RuntimeException e) {
        String message = clean(e.getMessage());
        if (e instanceof InvalidResetTokenException) {
            return new IllegalArgumentException(message);
        }
        if (e instanceof OperationRefusedException) {
            return refused(operation, message);
        }
        if (e instanceof IllegalArgumentException) {
            return new IllegalArgumentException(message.isEmpty() ? operation + ": invalid argument" : message);
        }
        String what = e instanceof DbAgentException ? message
                : e.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
        return failed(operation, what);
    }

    /**
     * @param operation the operation name
     * @param reason why it was refused
     * @return {@code IllegalStateException("<op> refused: <reason>")}, without repeating a prefix
     *     the reason already has
     */
    static IllegalStateException refused(String operation, String reason) {
        String prefix = operation + " refused";
        return new IllegalStateException(reason.startsWith(prefix) ? reason : prefix + ": " + reason);
    }

    /**
     * @param operation the operation name
     * @param reason what went wrong
     * @return {@code IllegalStateException("<op> failed: <reason>")}
     */
    static IllegalStateException failed(String operation, String reason) {
        String prefix = operation + " failed";
        return new IllegalStateException(reason.startsWith(prefix) ? reason : prefix + ": " + reason);
    }

    /**
     * @param message any message, may be null
     * @return the message with credentials masked, {@code ""} for null
     */
    static String clean(String message) {
        return message == null ? "" : JdbcUrls.maskText(message);
    }
}
