package dev.dbagent.mbeans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Test;

class NotificationsTest extends OverRemoteJmx {

    @Test
    void typesAreTheDocumentedStrings() {
        assertThat(Notifications.BREAKER_STATE).isEqualTo("dev.dbagent.breaker.state");
        assertThat(Notifications.HEALTH_STATUS).isEqualTo("dev.dbagent.health.status");
        assertThat(Notifications.OPS_COMPLETED).isEqualTo("dev.dbagent.ops.completed");
    }

    @Test
    void aRemoteListenerReceivesABreakerTransitionWithOpenUserData() throws Exception {
        ObjectName name = ObjectNames.poolBreaker(TestBeans.AGENT, TestBeans.DB, "primary");
        jmx.register(new TestBeans.Breaker(name), name);
        BlockingQueue<Notification> received = new LinkedBlockingQueue<>();
        NotificationListener listener = (n, handback) -> received.add(n);
        jmx.connection.addNotificationListener(name, listener, null, null);

        jmx.proxy(name, CircuitBreakerMXBean.class).forceOpen();

        // delivery over RMI is asynchronous: the client fetches notifications on its own thread
        Notification n = received.poll(30, TimeUnit.SECONDS);
        assertThat(n).isNotNull();
        assertThat(n.getType()).isEqualTo(Notifications.BREAKER_STATE);
        assertThat(n.getSource()).isEqualTo(name);
        assertThat(n.getSequenceNumber()).isEqualTo(1L);
        assertThat(n.getTimeStamp()).isEqualTo(1_764_270_000_000L);
        assertThat(n.getMessage())
                .isEqualTo("circuit breaker main/pool/primary CLOSED -> FORCED_OPEN: forceOpen by jmx:alice");
        CompositeData data = (CompositeData) n.getUserData();
        assertThat(data.getCompositeType()).isEqualTo(Notifications.BREAKER_STATE_DATA);
        assertThat(data.getAll(new String[] {"database", "layer", "role", "from", "to", "cause"}))
                .containsExactly("main", "pool", "primary", "CLOSED", "FORCED_OPEN", "forceOpen by jmx:alice");
        jmx.connection.removeNotificationListener(name, listener);
    }

    @Test
    void serviceLayerBreakerMessageHasNoRole() {
        ObjectName source = ObjectNames.serviceBreaker("app", "main");

        Notification n = Notifications.breakerState(source, 7L, 1_000L, "main", "service", "", "CLOSED", "OPEN",
                "failure rate 60.0% >= 50.0%");

        assertThat(n.getMessage()).isEqualTo("circuit breaker main/service CLOSED -> OPEN: failure rate 60.0% >= 50.0%");
        assertThat(((CompositeData) n.getUserData()).get("role")).isEqualTo("");
        assertThat(n.getSequenceNumber()).isEqualTo(7L);
    }

    @Test
    void healthStatusCarriesFromToAndSummary() {
        Notification n = Notifications.healthStatus(ObjectNames.health("app"), 3L, 2_000L, "UP", "DEGRADED",
                "WARNING main.replicaLag: replica-1 is 12 s behind");

        assertThat(n.getType()).isEqualTo("dev.dbagent.health.status");
        assertThat(n.getMessage()).isEqualTo("health UP -> DEGRADED: WARNING main.replicaLag: replica-1 is 12 s behind");
        CompositeData data = (CompositeData) n.getUserData();
        assertThat(data.getCompositeType()).isEqualTo(Notifications.HEALTH_STATUS_DATA);
        assertThat(data.getAll(new String[] {"from", "to", "summary"}))
                .containsExactly("UP", "DEGRADED", "WARNING main.replicaLag: replica-1 is 12 s behind");
        assertThat(Notifications.healthStatus("src", 4L, 3_000L, "DEGRADED", "UP", "").getMessage())
                .isEqualTo("health DEGRADED -> UP");
    }

    @Test
    void opsCompletedCarriesWhoWhatOutcomeAndDuration() {
        Notification n = Notifications.opsCompleted(ObjectNames.operations("app", "main"), 9L, 5_000L, "releaseLock",
                "force=true", "jmx:alice", Notifications.OUTCOME_SUCCEEDED, 42L, "released lock held by host-a");

        assertThat(n.getType()).isEqualTo("dev.dbagent.ops.completed");
        assertThat(n.getMessage())
                .isEqualTo("releaseLock by jmx:alice SUCCEEDED in 42 ms: released lock held by host-a");
        CompositeData data = (CompositeData) n.getUserData();
        assertThat(data.getCompositeType()).isEqualTo(Notifications.OPS_COMPLETED_DATA);
        assertThat(data.getAll(new String[] {"operation", "arguments", "caller", "outcome", "success",
            "durationMillis", "summary"}))
                .containsExactly("releaseLock", "force=true", "jmx:alice", "SUCCEEDED", true, 42L,
                        "released lock held by host-a");
    }

    @Test
    void onlyASucceededOperationCountsAsSuccess() {
        for (String outcome : new String[] {Notifications.OUTCOME_ANSWERED_NO, Notifications.OUTCOME_REFUSED,
            Notifications.OUTCOME_FAILED}) {
            Notification n = Notifications.opsCompleted("src", 1L, 1L, "reset", "", "local", outcome, 1L,
                    "reset refused: production");
            assertThat(((CompositeData) n.getUserData()).get("success")).as(outcome).isEqualTo(false);
            assertThat(((CompositeData) n.getUserData()).get("outcome")).isEqualTo(outcome);
        }
    }

    @Test
    void rejectsUnknownOutcomesAndNullItems() {
        assertThatThrownBy(() -> Notifications.opsCompleted("src", 1L, 1L, "migrate", "", "local", "OK", 1L, ""))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("outcome must be SUCCEEDED, ANSWERED_NO, REFUSED or FAILED, but was OK");
        assertThatThrownBy(() -> Notifications.healthStatus("src", 1L, 1L, "UP", null, ""))
                .isExactlyInstanceOf(NullPointerException.class)
                .hasMessage("to");
        assertThatThrownBy(() -> Notifications.breakerState("src", 1L, 1L, "main", "pool", null, "CLOSED", "OPEN", ""))
                .isExactlyInstanceOf(NullPointerException.class)
                .hasMessage("role");
    }

    @Test
    void notificationInfosDescribeOneTypeEach() {
        assertThat(Notifications.breakerStateInfo().getNotifTypes()).containsExactly(Notifications.BREAKER_STATE);
        assertThat(Notifications.healthStatusInfo().getNotifTypes()).containsExactly(Notifications.HEALTH_STATUS);
        assertThat(Notifications.opsCompletedInfo().getNotifTypes()).containsExactly(Notifications.OPS_COMPLETED);
        assertThat(Notifications.opsCompletedInfo().getName()).isEqualTo(Notification.class.getName());
    }

    @Test
    void withInstanceSetsTheInstanceItemAndKeepsEverythingElse() {
        Notification n = Notifications.breakerState(ObjectNames.poolBreaker("app", "main", "primary"), 11L, 4_000L,
                "main", "pool", "primary", "CLOSED", "OPEN", "connection refused");
        assertThat(((CompositeData) n.getUserData()).get(Notifications.INSTANCE_ITEM)).isEqualTo("");

        Notification stamped = Notifications.withInstance(n, "app-3:812");

        CompositeData data = (CompositeData) stamped.getUserData();
        assertThat(data.get("instance")).isEqualTo("app-3:812");
        assertThat(data.getCompositeType()).isEqualTo(Notifications.BREAKER_STATE_DATA);
        assertThat(data.getAll(new String[] {"database", "layer", "role", "from", "to", "cause"}))
                .containsExactly("main", "pool", "primary", "CLOSED", "OPEN", "connection refused");
        assertThat(stamped.getType()).isEqualTo(n.getType());
        assertThat(stamped.getSource()).isEqualTo(n.getSource());
        assertThat(stamped.getSequenceNumber()).isEqualTo(11L);
        assertThat(stamped.getTimeStamp()).isEqualTo(4_000L);
        assertThat(stamped.getMessage()).isEqualTo(n.getMessage());
        for (javax.management.openmbean.CompositeType type : new javax.management.openmbean.CompositeType[] {
            Notifications.HEALTH_STATUS_DATA, Notifications.OPS_COMPLETED_DATA, Notifications.OPS_PROGRESS_DATA}) {
            assertThat(type.keySet()).as(type.getTypeName()).contains("instance");
        }
        assertThat(((CompositeData) Notifications.withInstance(
                Notifications.opsCompleted("src", 1L, 1L, "migrate", "", "local", "SUCCEEDED", 5L, "ok"), "b:2")
                .getUserData()).get("instance")).isEqualTo("b:2");
    }
}
