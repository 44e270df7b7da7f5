package dev.dbagent.internal.jmx;

import dev.dbagent.mbeans.Notifications;
import java.util.Objects;
import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;

/**
 * A notification emitter whose every notification carries the agent's instance id (the
 * {@code instance} item of the userData), so an operator watching many instances can tell them
 * apart. Thread-safe.
 */
abstract class InstanceBroadcaster extends NotificationBroadcasterSupport {
    private volatile String instance = "";

    /** @param info the notification types this bean emits */
    InstanceBroadcaster(MBeanNotificationInfo... info) {
        super(info);
    }

    /** @param id the agent's instance id, stamped on every notification from now on */
    void instance(String id) {
        this.instance = Objects.requireNonNull(id, "instance");
    }

    @Override
    public void sendNotification(Notification notification) {
        super.sendNotification(Notifications.withInstance(notification, instance));
    }
}
