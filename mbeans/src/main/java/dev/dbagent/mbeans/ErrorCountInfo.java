package dev.dbagent.mbeans;

import java.util.Objects;
import javax.management.ConstructorParameters;

/**
 * How many failed calls ended with one exception class, as listed by
 * {@link ServiceMXBean#getErrorsByClass()}.
 *
 * <p>Immutable and thread-safe. Maps to a {@code CompositeData} with items {@code errorClass}
 * and {@code count}.
 */
public final class ErrorCountInfo {
    private final String errorClass;
    private final long count;

    /**
     * @param errorClass fully qualified class name of the exception the caller received, e.g.
     *     {@code dev.dbagent.BreakerOpenException}
     * @param count how many calls failed with it since the agent started
     * @throws NullPointerException if {@code errorClass} is null
     */
    @ConstructorParameters({"errorClass", "count"})
    public ErrorCountInfo(String errorClass, long count) {
        this.errorClass = Objects.requireNonNull(errorClass, "errorClass");
        this.count = count;
    }

    /** @return fully qualified exception class name */
    public String getErrorClass() {
        return errorClass;
    }

    /** @return how many calls failed with it since the agent started */
    public long getCount() {
        return count;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ErrorCountInfo other && errorClass.equals(other.errorClass) && count == other.count;
    }

    @Override
    public int hashCode() {
        return Objects.hash(errorClass, count);
    }

    @Override
    public String toString() {
        return errorClass + "=" + count;
    }
}
