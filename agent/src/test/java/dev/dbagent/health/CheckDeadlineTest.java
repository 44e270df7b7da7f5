package dev.dbagent.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Every check has its own deadline; a hung one is reported as hung and does not hold the others. */
class CheckDeadlineTest {

    @Test
    void hungCheckIsReportedDownWhileTheOthersCompleteAndIsNotStartedTwice() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger hangStarts = new AtomicInteger();
        AtomicInteger fastRuns = new AtomicInteger();
        HealthCheck hanging = HealthChecks.of("db.migrations", () -> {
            hangStarts.incrementAndGet();
            try {
                release.await(60, TimeUnit.SECONDS); // a probe stuck on a dead network
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return CheckResult.up("finally answered");
        });
        HealthCheck fast = HealthChecks.of("db.roundTrip", () -> CheckResult.up("SELECT 1 in " + fastRuns.incrementAndGet()));
        HealthCheck failing = HealthChecks.of("db.sessions", () -> {
            throw new IllegalStateException("boom");
        });
        try (HealthMonitor monitor = new HealthMonitor("deadline", List.of(hanging, fast, failing), Clock.systemUTC(),
                null, Duration.ofMillis(300))) {
            HealthReport first = monitor.runNow();

            assertThat(first.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(first.checks().get("db.roundTrip").status()).isEqualTo(HealthStatus.UP);
            assertThat(first.checks().get("db.roundTrip").message()).isEqualTo("SELECT 1 in 1");
            assertThat(first.checks().get("db.sessions").message()).isEqualTo("check failed: IllegalStateException: boom");
            CheckResult hung = first.checks().get("db.migrations");
            assertThat(hung.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(hung.message()).isEqualTo("check db.migrations did not finish within its deadline of 300 ms");
            assertThat(first.issues()).anySatisfy(i -> {
                assertThat(i.severity()).isEqualTo(Issue.Severity.CRITICAL);
                assertThat(i.check()).isEqualTo("db.migrations");
                assertThat(i.message()).endsWith("(hung)");
            });

            HealthReport second = monitor.runNow(); // not blocked by the hung check
            assertThat(second.checks().get("db.roundTrip").message()).isEqualTo("SELECT 1 in 2");
            assertThat(second.checks().get("db.migrations").message())
                    .startsWith("check db.migrations still has not returned, ")
                    .endsWith(" ms after it started; not started again");
            assertThat(hangStarts).hasValue(1);

            release.countDown();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    monitor.runNow().checks().get("db.migrations").status() == HealthStatus.UP);
            assertThat(hangStarts).hasValue(2);
            assertThat(monitor.checkDeadline()).isEqualTo(Duration.ofMillis(300));
        }
    }
}
