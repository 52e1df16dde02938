package io.cpo4j.cli.judge;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChatJudgeConfigTest {

    @Test
    void defaultsFollowTheOpenaiClient() {
        ChatJudgeConfig c = ChatJudgeConfig.fromEnvironment(Map.of());
        assertThat(c.endpoint()).isEqualTo(URI.create("https://api.openai.com/v1/chat/completions"));
        assertThat(c.model()).isEqualTo(ChatJudgeConfig.DEFAULT_MODEL);
        assertThat(c.apiKey()).isEmpty();
        assertThat(c.maxRetries()).isEqualTo(2);
        assertThat(c.initialBackoff()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.maxBackoff()).isEqualTo(Duration.ofSeconds(8));
    }

    @Test
    void environmentThenFlags() {
        ChatJudgeConfig c = ChatJudgeConfig.fromEnvironment(Map.of("OPENAI_BASE_URL", "http://localhost:8000/v1/", "OPENAI_API_KEY", "sk-secret",
                "CPO4J_JUDGE_MODEL", "qwen"));
        assertThat(c.endpoint()).isEqualTo(URI.create("http://localhost:8000/v1/chat/completions"));
        assertThat(c.model()).isEqualTo("qwen");
        assertThat(c.withModel("llama").model()).isEqualTo("llama");
        assertThat(c.toString()).doesNotContain("sk-secret").contains("apiKey=***");
    }

    @Test
    void refusesNonsense() {
        ChatJudgeConfig c = ChatJudgeConfig.fromEnvironment(Map.of());
        assertThatThrownBy(() -> c.withBaseUrl("ftp://x")).hasMessageContaining("http(s)");
        assertThatThrownBy(() -> c.withModel(" ")).hasMessageContaining("model");
        assertThatThrownBy(() -> c.withTimeout(Duration.ZERO)).hasMessageContaining("timeout");
        assertThatThrownBy(() -> c.withMaxRetries(-1)).hasMessageContaining("retries");
    }
}
