package dev.dbagent.internal.jmx;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** ISO-8601 UTC rendering of instants, as every dbagent attribute shows time. Thread-safe. */
final class Iso {
    private Iso() {
    }

    /**
     * @param instant a time, may be null
     * @return e.g. {@code 2026-11-27T19:00:00.123Z} (millisecond precision), {@code ""} for null
     */
    static String of(Instant instant) {
        return instant == null ? "" : instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
