package dev.dbagent.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.health.CheckResult;
import dev.dbagent.health.HealthChecks;
import dev.dbagent.health.HealthMonitor;
import dev.dbagent.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The probe answers from a real monitor whose checks the test decides, on a manual clock. */
class ProbesTest {
    private final MutableClock clock = new MutableClock();
    private final AtomicReference<CheckResult> result = new AtomicReference<>(CheckResult.up("fine"));
    private final HealthMonitor monitor = new HealthMonitor("probes", List.of(
            HealthChecks.of("db.\"odd\"\\name", result::get), HealthChecks.of("db.other", () -> CheckResult.up("ok"))),
            clock, null);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Probes probes = new Probes(running::get, () -> monitor, Duration.ofSeconds(10), false, clock,
            clock.instant());

    @Test
    void readinessIsStartingUntilTheFirstReport() {
        assertThat(probes.ready()).isEqualTo(new Probes.Answer(503, "{\"status\":\"STARTING\"}"));
        monitor.runNow();
        assertThat(probes.ready()).isEqualTo(new Probes.Answer(200, "{\"status\":\"UP\"}"));
    }

    @Test
    void checkNamesAreEscapedAndOnlyStatesAreShown() {
        result.set(CheckResult.down("password=hunter2 at db.internal:5432", List.of()));
        monitor.runNow();
        Probes.Answer ready = probes.ready();
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.json()).isEqualTo("{\"status\":\"DOWN\",\"checks\":{\"db.\\\"odd\\\"\\\\name\":\"DOWN\"}}");
        assertThat(ready.json()).doesNotContain("hunter2", "db.internal");
    }

    @Test
    void degradedIsNotReadyWhenThePolicySaysSo() {
        result.set(CheckResult.degraded("slow", List.of()));
        monitor.runNow();
        assertThat(probes.ready()).isEqualTo(new Probes.Answer(503,
                "{\"status\":\"DEGRADED\",\"checks\":{\"db.\\\"odd\\\"\\\\name\":\"DEGRADED\"}}"));
        result.set(CheckResult.up("fine"));
        monitor.runNow();
        assertThat(probes.ready()).isEqualTo(new Probes.Answer(200, "{\"status\":\"UP\"}"));
    }

    @Test
    void livenessFollowsTheAgentAndItsSchedule() {
        assertThat(probes.live()).isEqualTo(new Probes.Answer(503,
                "{\"status\":\"DOWN\",\"checks\":{\"healthSchedule\":\"DOWN\"}}"));
        monitor.start(Duration.ofHours(1));
        try {
            assertThat(probes.live().status()).isEqualTo(200);
            running.set(false);
            assertThat(probes.live()).isEqualTo(new Probes.Answer(503, "{\"status\":\"DOWN\",\"checks\":{\"agent\":\"DOWN\"}}"));
            assertThat(probes.ready()).isEqualTo(new Probes.Answer(503, "{\"status\":\"DOWN\",\"checks\":{\"agent\":\"DOWN\"}}"));
        } finally {
            monitor.stop();
        }
    }
}
