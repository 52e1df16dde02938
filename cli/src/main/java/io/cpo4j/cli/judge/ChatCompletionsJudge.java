package io.cpo4j.cli.judge;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An LLM judge over the OpenAI-compatible chat-completions protocol ({@code POST
 * <base>/chat/completions}; OpenAI, vLLM, llama.cpp server, Ollama, LM Studio…), using only
 * {@code java.net.http}. The order in which the two continuations are shown is randomised per
 * item — a coin from a {@link Rng} seeded with the config's seed and a hash of the item — and
 * undone on the answer, so position bias averages out and the same item always gets the same
 * order. Temperature 0. An answer that is not A, B or tie counts as a tie and is counted in
 * {@link #unreadable()}.
 *
 * <p>Timeouts, connection errors and HTTP 408, 409, 429 and 5xx are retried with exponential
 * backoff ({@code Retry-After} honoured up to the maximum backoff); other statuses (401, 404…)
 * fail at once with the endpoint, status and the start of the body in the message.
 */
public final class ChatCompletionsJudge implements Judge, AutoCloseable {

    private static final int MAX_ANSWER_TOKENS = 8;
    private static final int BODY_IN_ERRORS = 300;

    private final ChatJudgeConfig config;
    private final HttpClient http;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();
    private final AtomicInteger unreadable = new AtomicInteger();

    public ChatCompletionsJudge(ChatJudgeConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public Preference judge(String prompt, String a, String b) throws IOException {
        boolean swap = swapped(prompt, a, b);
        String reply = complete(PairwisePrompt.SYSTEM, PairwisePrompt.user(prompt, swap ? b : a, swap ? a : b));
        Preference shown = PairwisePrompt.parse(reply).orElse(null);
        if (shown == null) {
            unreadable.incrementAndGet();
            return Preference.TIE;
        }
        return swap ? shown.swapped() : shown;
    }

    /** Whether this item is shown as (B, A): a seeded coin per item, independent of call order. */
    public boolean swapped(String prompt, String a, String b) {
        return new Rng(config.seed()).split(hash(prompt, a, b)).nextDouble() < 0.5;
    }

    private static long hash(String... parts) {
        long h = 0xcbf29ce484222325L;                   // FNV-1a, 64 bit
        for (String p : parts) {
            for (int i = 0; i < p.length(); i++) {
                h ^= p.charAt(i);
                h *= 0x100000001b3L;
            }
            h ^= 0xFFFF;                                // separator, so ("ab","c") ≠ ("a","bc")
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** Sends one chat completion and returns the assistant's text, retrying as configured. */
    String complete(String system, String user) throws IOException {
        URI endpoint = config.endpoint();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", config.model());
        body.put("messages", List.of(message("system", system), message("user", user)));
        body.put("temperature", 0.0);
        body.put("max_tokens", (long) MAX_ANSWER_TOKENS);
        HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint)
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8));
        if (!config.apiKey().isEmpty()) rb.header("Authorization", "Bearer " + config.apiKey());
        HttpRequest request = rb.build();

        Duration backoff = config.initialBackoff();
        for (int attempt = 0; ; attempt++) {
            Duration wait = backoff;
            String failure;
            HttpResponse<String> r = null;
            try {
                requests.incrementAndGet();
                r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                failure = null;
            } catch (HttpTimeoutException e) {
                failure = "no response within " + config.timeout().toMillis() + " ms";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("judge request to " + endpoint + " interrupted");
            } catch (IOException e) {
                failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            if (r != null) {
                int status = r.statusCode();
                if (status / 100 == 2) return content(r.body(), endpoint);
                failure = "HTTP " + status + ": " + snippet(r.body());
                if (!retryable(status)) throw new IOException("judge endpoint " + endpoint + ": " + failure);
                Duration retryAfter = retryAfter(r);
                if (retryAfter != null) wait = retryAfter;
            }
            if (attempt >= config.maxRetries()) {
                throw new IOException("judge endpoint " + endpoint + ": gave up after " + (attempt + 1) + " attempts; last: " + failure);
            }
            retries.incrementAndGet();
            sleep(min(wait, config.maxBackoff()));
            backoff = min(backoff.multipliedBy(2), config.maxBackoff());
        }
    }

    private static Map<String, Object> message(String role, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }

    /** The openai client's retry rule: request timeout, lock conflict, rate limit, server errors. */
    static boolean retryable(int status) {
        return status == 408 || status == 409 || status == 429 || status >= 500;
    }

    private static Duration retryAfter(HttpResponse<?> r) {
        String v = r.headers().firstValue("retry-after").orElse(null);
        if (v == null) return null;
        try {
            double seconds = Double.parseDouble(v.strip());
            return seconds >= 0 ? Duration.ofMillis((long) (seconds * 1000)) : null;
        } catch (NumberFormatException e) {
            return null;                                 // an HTTP date: fall back to our own backoff
        }
    }

    @SuppressWarnings("unchecked")
    private static String content(String body, URI endpoint) throws FormatException {
        String source = "judge endpoint " + endpoint;
        Map<String, Object> json = Json.parseObject(body, source);
        if (!(json.get("choices") instanceof List<?> choices) || choices.isEmpty() || !(choices.get(0) instanceof Map<?, ?> choice)) {
            throw new FormatException(source, "response has no \"choices\": " + snippet(body));
        }
        if (!(choice.get("message") instanceof Map<?, ?> message) || !(message.get("content") instanceof String text)) {
            throw new FormatException(source, "response has no choices[0].message.content: " + snippet(body));
        }
        return text;
    }

    private static String snippet(String body) {
        String s = body.strip().replaceAll("\\s+", " ");
        return s.length() <= BODY_IN_ERRORS ? s : s.substring(0, BODY_IN_ERRORS) + "…";
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleep(Duration d) throws InterruptedIOException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("judge backoff interrupted");
        }
    }

    @Override
    public String name() {
        return "openai:" + config.model();
    }

    public ChatJudgeConfig config() {
        return config;
    }

    /** HTTP requests sent so far (retries included). */
    public int requests() {
        return requests.get();
    }

    /** Requests repeated after a timeout, a connection error or a retryable status. */
    public int retries() {
        return retries.get();
    }

    /** Answers that were not A, B or tie (counted as ties). */
    public int unreadable() {
        return unreadable.get();
    }

    @Override
    public void close() {
        http.close();
    }
}
