package dev.dbagent.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ApplicationNamesTest {

    @Test
    void namesCarryAgentInstanceDatabaseAndRole() {
        assertThat(ApplicationNames.of("shop", "web-3:4711", "main", "primary"))
                .isEqualTo("dbagent/shop/web-3:4711/main/primary");
        assertThat(ApplicationNames.instancePrefix("shop", "web-3:4711")).isEqualTo("dbagent/shop/web-3:4711/");
        assertThat(ApplicationNames.agentOf("dbagent/shop/web-3:4711/main/primary")).isEqualTo("shop");
        assertThat(ApplicationNames.agentOf("psql")).isNull();
        assertThat(ApplicationNames.agentOf("dbagent/main")).isNull();
    }

    @Test
    void longNamesAreCutAt63BytesWithoutSplittingACharacter() {
        // 'é' is two bytes and '€' three, '𝄞' four (a surrogate pair): every cut position is tried
        for (int pad = 0; pad < 8; pad++) {
            String instance = "x".repeat(pad) + "é€𝄞".repeat(8);
            String name = ApplicationNames.of("agent", instance, "main", "replica-1");
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            assertThat(bytes.length).as(name).isLessThanOrEqualTo(63).isGreaterThanOrEqualTo(60);
            assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(name);
            assertThat(Character.isHighSurrogate(name.charAt(name.length() - 1))).isFalse();
            assertThat(("dbagent/agent/" + instance + "/main/replica-1")).startsWith(name);
        }
        String ascii = "dbagent/" + "a".repeat(100);
        assertThat(ApplicationNames.truncate(ascii)).hasSize(63).isEqualTo(ascii.substring(0, 63));
        assertThat(ApplicationNames.truncate("short")).isEqualTo("short");
    }
}
