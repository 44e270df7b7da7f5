package dev.dbagent.internal.jmx.access;

/**
 * The answer of {@link AccessPolicy} for one action: allowed, or refused with the reason that
 * goes back to the caller (and never names more than the caller already sent). Immutable.
 *
 * @param allowed whether the action may run
 * @param reason why it is refused; {@code ""} when allowed
 */
public record Decision(boolean allowed, String reason) {

    static final Decision ALLOW = new Decision(true, "");

    static Decision refuse(String reason) {
        return new Decision(false, reason);
    }

    /**
     * @throws SecurityException with {@link #reason()} when refused, as the JDK's own access
     *     controller does, so JMX clients and Jolokia report it as "access denied"
     */
    public void orThrow() {
        if (!allowed) {
            throw new SecurityException(reason);
        }
    }
}
