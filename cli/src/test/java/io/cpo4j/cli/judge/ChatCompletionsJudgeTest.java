package io.cpo4j.cli.judge;

import io.cpo4j.cli.judge.FakeChatServer.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The LLM judge against a local server speaking the chat-completions protocol. */
class ChatCompletionsJudgeTest {

    private FakeChatServer server;
    private ChatCompletionsJudge judge;

    @BeforeEach
    void start() throws IOException {
        server = new FakeChatServer();
        judge = new ChatCompletionsJudge(config());
    }

    private ChatJudgeConfig config() {
        return ChatJudgeConfig.fromEnvironment(Map.of("OPENAI_BASE_URL", server.baseUrl(), "OPENAI_API_KEY", "sk-test", "CPO4J_JUDGE_MODEL", "judge-model"))
                .withTimeout(Duration.ofSeconds(2)).withBackoff(Duration.ofMillis(10), Duration.ofMillis(40)).withSeed(11);
    }

    @AfterEach
    void stop() {
        judge.close();
        server.close();
    }

    @Test
    void speaksTheProtocolAndUndoesTheRandomOrder() throws IOException {
        int swapped = 0;
        for (int i = 0; i < 40; i++) {
            String prompt = "the farmer number " + i;
            if (judge.swapped(prompt, "GOOD " + i, "bad " + i)) swapped++;
            assertThat(judge.judge(prompt, "GOOD " + i, "bad " + i)).isEqualTo(Preference.A);
            assertThat(judge.judge(prompt, "bad " + i, "GOOD " + i)).isEqualTo(Preference.B);
        }
        assertThat(judge.judge("p", "same", "same")).isEqualTo(Preference.TIE);
        // Both orders were shown, in a proportion a fair coin gives (40 items: 8..32 with p > 0.9999).
        assertThat(swapped).isBetween(8, 32);
        assertThat(judge.requests()).isEqualTo(81);
        assertThat(judge.retries()).isZero();
        Map<String, Object> body = server.bodies.get(0);
        assertThat(body).containsEntry("model", "judge-model").containsEntry("temperature", 0.0).containsKey("max_tokens");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> messages = (List<Map<String, Object>>) body.get("messages");
        assertThat(messages).extracting(m -> m.get("role")).containsExactly("system", "user");
        assertThat((String) messages.get(1).get("content")).contains("the farmer number 0").contains("Continuation A:").contains("Continuation B:");
        assertThat(server.authorizations).allMatch(a -> a.equals("Bearer sk-test"));
    }

    @Test
    void theOrderIsAFunctionOfSeedAndItem() {
        ChatCompletionsJudge other = new ChatCompletionsJudge(config().withSeed(12));
        int differ = 0;
        for (int i = 0; i < 40; i++) {
            String p = "prompt " + i;
            assertThat(judge.swapped(p, "a", "b")).isEqualTo(new ChatCompletionsJudge(config()).swapped(p, "a", "b"));
            if (judge.swapped(p, "a", "b") != other.swapped(p, "a", "b")) differ++;
        }
        assertThat(differ).as("another seed gives other orders").isPositive();
        other.close();
    }

    @Test
    void aSlowReplyTimesOutAndIsRetried() throws IOException {
        server.queue(Fault.SLOW);
        assertThat(judge.judge("p", "GOOD", "bad")).isEqualTo(Preference.A);
        assertThat(judge.requests()).isEqualTo(2);
        assertThat(judge.retries()).isEqualTo(1);
    }

    @Test
    void serverErrorsAndRateLimitsAreRetried() throws IOException {
        server.queue(Fault.ERROR_500, Fault.ERROR_429);
        assertThat(judge.judge("p", "bad", "GOOD")).isEqualTo(Preference.B);
        assertThat(judge.requests()).isEqualTo(3);
        assertThat(judge.retries()).isEqualTo(2);
    }

    @Test
    void givesUpAfterTheLastRetryWithTheReason() {
        server.queue(Fault.ERROR_500, Fault.ERROR_500, Fault.ERROR_500);
        assertThatThrownBy(() -> judge.judge("p", "GOOD", "bad"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(server.baseUrl() + "/chat/completions")
                .hasMessageContaining("gave up after 3 attempts")
                .hasMessageContaining("HTTP 500")
                .hasMessageContaining("internal error");
        assertThat(judge.requests()).isEqualTo(3);
    }

    @Test
    void aBadKeyFailsAtOnce() {
        server.queue(Fault.ERROR_401);
        assertThatThrownBy(() -> judge.judge("p", "GOOD", "bad"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("Incorrect API key");
        assertThat(judge.requests()).isEqualTo(1);
    }

    @Test
    void anUnreadableAnswerIsATieAndCounted() throws IOException {
        server.queue(Fault.GARBLED);
        assertThat(judge.judge("p", "GOOD", "bad")).isEqualTo(Preference.TIE);
        assertThat(judge.unreadable()).isEqualTo(1);
    }

    @Test
    void noServerMeansConnectionErrorsRetriedThenAClearFailure() {
        String base = server.baseUrl();
        server.close();
        ChatCompletionsJudge dead = new ChatCompletionsJudge(config().withBaseUrl(base).withMaxRetries(1));
        assertThatThrownBy(() -> dead.judge("p", "a", "b")).isInstanceOf(IOException.class).hasMessageContaining("gave up after 2 attempts");
        assertThat(dead.retries()).isEqualTo(1);
        dead.close();
    }
}
