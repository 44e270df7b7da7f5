package dev.dbagent.internal.jmx.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbagent.OperationRefusedException;
import dev.dbagent.config.Environment;
import dev.dbagent.config.JmxRemoteSettings;
import dev.dbagent.config.JolokiaSettings;
import dev.dbagent.config.Secret;

import java.nio.file.Path;
import java.util.Optional;
import javax.management.MBeanServerFactory;

import org.junit.jupiter.api.Test;

class SettingsFromConfigTest {

    private static final JmxRemoteSettings JMX = new JmxRemoteSettings(true, "127.0.0.1", 9010, true,
            Optional.of(Path.of("/etc/dbagent/jmxremote.password")), Optional.of(Path.of("/etc/dbagent/jmxremote.access")),
            true);
    private static final JolokiaSettings JOLOKIA = new JolokiaSettings(true, "127.0.0.1", 8778, true,
            Optional.of("operator"), Optional.of(Secret.of("s3cret-Value")), Optional.of(Path.of("policy.xml")));

    @Test
    void remoteJmxSettingsCarryEveryConfigValue() {
        RemoteJmxSettings settings = RemoteJmxSettings.from(JMX, Environment.PRODUCTION);

        assertThat(settings).isEqualTo(new RemoteJmxSettings("127.0.0.1", 9010, true,
                Path.of("/etc/dbagent/jmxremote.password"), Path.of("/etc/dbagent/jmxremote.access"), true,
                "production"));
    }

    @Test
    void unauthenticatedConfigIsRefusedInProduction() {
        JmxRemoteSettings open = new JmxRemoteSettings(true, "127.0.0.1", 0, false, Optional.empty(),
                Optional.empty(), false);

        assertThatThrownBy(() -> RemoteJmxServer.start(MBeanServerFactory.newMBeanServer(),
                RemoteJmxSettings.from(open, Environment.PRODUCTION)))
                .isInstanceOf(OperationRefusedException.class)
                .hasMessageContaining("'production'");
    }

    @Test
    void jolokiaSettingsUseTheSingleUserOrTheSharedFiles() {
        JolokiaServerSettings single = JolokiaServerSettings.from(JOLOKIA, Environment.STAGING);
        JolokiaServerSettings shared = JolokiaServerSettings.from(JOLOKIA, JMX, Environment.STAGING);

        assertThat(single.user()).isEqualTo("operator");
        assertThat(single.password()).isEqualTo("s3cret-Value");
        assertThat(single.toString()).doesNotContain("s3cret-Value");
        assertThat(single.policyFile()).isEqualTo(Path.of("policy.xml"));
        assertThat(single.environment()).isEqualTo("staging");
        assertThat(shared.user()).isNull();
        assertThat(shared.passwordFile()).isEqualTo(Path.of("/etc/dbagent/jmxremote.password"));
        assertThat(shared.accessFile()).isEqualTo(Path.of("/etc/dbagent/jmxremote.access"));
    }
}
