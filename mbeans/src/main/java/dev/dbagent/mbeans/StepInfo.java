package dev.dbagent.mbeans;

import java.util.Objects;
import javax.management.ConstructorParameters;

/**
 * One step of an operation, as listed by {@link OperationResultInfo#getSteps()}: e.g. "acquire
 * lock", "apply changeset orders-001", "verify".
 *
 * <p>Immutable and thread-safe. Maps to a {@code CompositeData} with items {@code name},
 * {@code millis}, {@code detail}.
 */
public final class StepInfo {
    private final String name;
    private final long millis;
    private final String detail;

    /**
     * @param name what the step did, short
     * @param millis how long it took, in milliseconds
     * @param detail what it found or changed, one line; {@code ""} if nothing to add
     * @throws NullPointerException if a String argument is null
     */
    @ConstructorParameters({"name", "millis", "detail"})
    public StepInfo(String name, long millis, String detail) {
        this.name = Objects.requireNonNull(name, "name");
        this.millis = millis;
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    /** @return what the step did */
    public String getName() {
        return name;
    }

    /** @return how long it took, in milliseconds */
    public long getMillis() {
        return millis;
    }

    /** @return what it found or changed, or {@code ""} */
    public String getDetail() {
        return detail;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StepInfo other && name.equals(other.name) && millis == other.millis
                && detail.equals(other.detail);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, millis, detail);
    }

    @Override
    public String toString() {
        return name + " (" + millis + " ms)" + (detail.isEmpty() ? "" : ": " + detail);
    }
}
