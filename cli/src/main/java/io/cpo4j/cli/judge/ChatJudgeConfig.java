package io.cpo4j.cli.judge;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Where and how the LLM judge calls an OpenAI-compatible chat-completions endpoint. Read from
 * the environment like the {@code openai} client does — {@code OPENAI_BASE_URL} (default
 * {@value #DEFAULT_BASE_URL}) and {@code OPENAI_API_KEY} (optional: local servers need none) —
 * plus {@code CPO4J_JUDGE_MODEL} for the model (default {@value #DEFAULT_MODEL}); flags override
 * through the {@code with…} methods. Retries follow the openai client: 2 retries, backoff from
 * 0.5 s doubling up to 8 s, honouring {@code Retry-After}.
 *
 * @param baseUrl        API root, e.g. {@code http://localhost:8000/v1}; {@code /chat/completions} is appended
 * @param apiKey         sent as {@code Authorization: Bearer …} when not empty; never printed
 * @param timeout        per request, until the response headers arrive
 * @param maxRetries     extra attempts after a timeout, a connection error, or HTTP 408/409/429/5xx
 * @param seed           decides the A/B order shown to the judge, per item
 */
public record ChatJudgeConfig(URI baseUrl, String model, String apiKey, Duration timeout, int maxRetries,
                              Duration initialBackoff, Duration maxBackoff, long seed) {

    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";
    public static final String DEFAULT_MODEL = "gpt-4o-mini";

    public ChatJudgeConfig {
        if (baseUrl == null || baseUrl.getScheme() == null || !(baseUrl.getScheme().equals("http") || baseUrl.getScheme().equals("https"))) {
            throw new IllegalArgumentException("judge base URL must be http(s)://…, got " + baseUrl);
        }
        if (model == null || model.isBlank()) throw new IllegalArgumentException("judge model must not be empty");
        if (apiKey == null) apiKey = "";
        if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("judge timeout must be positive, got " + timeout);
        if (maxRetries < 0) throw new IllegalArgumentException("judge max retries must be ≥ 0, got " + maxRetries);
        if (initialBackoff == null || initialBackoff.isNegative() || maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("judge backoff must satisfy 0 ≤ initial ≤ max, got " + initialBackoff + ", " + maxBackoff);
        }
    }

    /** From the process environment. */
    public static ChatJudgeConfig fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** From an environment map (OPENAI_BASE_URL, OPENAI_API_KEY, CPO4J_JUDGE_MODEL), defaults for the rest. */
    public static ChatJudgeConfig fromEnvironment(Map<String, String> env) {
        String base = env.getOrDefault("OPENAI_BASE_URL", "");
        String model = env.getOrDefault("CPO4J_JUDGE_MODEL", "");
        return new ChatJudgeConfig(URI.create(base.isBlank() ? DEFAULT_BASE_URL : base.strip()),
                model.isBlank() ? DEFAULT_MODEL : model.strip(), env.getOrDefault("OPENAI_API_KEY", "").strip(),
                Duration.ofSeconds(60), 2, Duration.ofMillis(500), Duration.ofSeconds(8), 0);
    }

    public ChatJudgeConfig withBaseUrl(String url) {
        return new ChatJudgeConfig(URI.create(url.strip()), model, apiKey, timeout, maxRetries, initialBackoff, maxBackoff, seed);
    }

    public ChatJudgeConfig withModel(String m) {
        return new ChatJudgeConfig(baseUrl, m, apiKey, timeout, maxRetries, initialBackoff, maxBackoff, seed);
    }

    public ChatJudgeConfig withApiKey(String key) {
        return new ChatJudgeConfig(baseUrl, model, key, timeout, maxRetries, initialBackoff, maxBackoff, seed);
    }

    public ChatJudgeConfig withTimeout(Duration t) {
        return new ChatJudgeConfig(baseUrl, model, apiKey, t, maxRetries, initialBackoff, maxBackoff, seed);
    }

    public ChatJudgeConfig withMaxRetries(int n) {
        return new ChatJudgeConfig(baseUrl, model, apiKey, timeout, n, initialBackoff, maxBackoff, seed);
    }

    public ChatJudgeConfig withBackoff(Duration initial, Duration max) {
        return new ChatJudgeConfig(baseUrl, model, apiKey, timeout, maxRetries, initial, max, seed);
    }

    public ChatJudgeConfig withSeed(long s) {
        return new ChatJudgeConfig(baseUrl, model, apiKey, timeout, maxRetries, initialBackoff, maxBackoff, s);
    }

    /** The chat-completions URL: base URL + {@code /chat/completions}. */
    public URI endpoint() {
        String b = baseUrl.toString();
        while (b.endsWith("/")) b = b.substring(0, b.length() - 1);
        return URI.create(b + "/chat/completions");
    }

    /** Like the record's, but the key is never shown. */
    @Override
    public String toString() {
        return "ChatJudgeConfig[baseUrl=" + baseUrl + ", model=" + model + ", apiKey=" + (apiKey.isEmpty() ? "none" : "***")
                + ", timeout=" + timeout + ", maxRetries=" + maxRetries + ", backoff=" + initialBackoff + ".." + maxBackoff + ", seed=" + seed + "]";
    }
}
