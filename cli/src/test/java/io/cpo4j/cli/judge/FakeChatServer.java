package io.cpo4j.cli.judge;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cpo4j.engine.io.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local OpenAI-compatible chat-completions server for tests. By default it judges like a
 * careful reader: the continuation containing "GOOD" wins, whichever label it was shown under.
 * Scripted faults — a slow reply, an error status, an unreadable answer — are queued per request.
 */
final class FakeChatServer implements AutoCloseable {

    enum Fault { SLOW, ERROR_500, ERROR_401, ERROR_429, GARBLED }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final Deque<Fault> faults = new ArrayDeque<>();
    final List<Map<String, Object>> bodies = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    volatile long slowMillis = 8000;

    FakeChatServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(pool);                        // a slow reply must not block the retry
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    synchronized void queue(Fault... fs) {
        faults.addAll(List.of(fs));
    }

    private synchronized Fault nextFault() {
        return faults.poll();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("POST")) {
                send(ex, 405, "{\"error\":{\"message\":\"POST only\"}}");
                return;
            }
            String text = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, Object> body = Json.parseObject(text, "request");
            bodies.add(body);
            authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            Fault f = nextFault();
            if (f == Fault.SLOW) sleep(slowMillis);
            if (f == Fault.ERROR_500) {
                send(ex, 500, "{\"error\":{\"message\":\"internal error\"}}");
                return;
            }
            if (f == Fault.ERROR_401) {
                send(ex, 401, "{\"error\":{\"message\":\"Incorrect API key provided\"}}");
                return;
            }
            if (f == Fault.ERROR_429) {
                ex.getResponseHeaders().add("Retry-After", "0");
                send(ex, 429, "{\"error\":{\"message\":\"rate limited\"}}");
                return;
            }
            String answer = f == Fault.GARBLED ? "I cannot decide between these." : verdict(body);
            send(ex, 200, "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":" + quote(String.valueOf(body.get("model")))
                    + ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + quote(answer)
                    + "},\"finish_reason\":\"stop\"}]}");
        } catch (IOException e) {
            // the client gave up on a slow reply: nothing to do
        }
    }

    /** "A" if the first shown continuation contains GOOD, "B" if the second does, else "tie". */
    @SuppressWarnings("unchecked")
    private static String verdict(Map<String, Object> body) {
        List<Map<String, Object>> messages = (List<Map<String, Object>>) body.get("messages");
        String user = (String) messages.get(messages.size() - 1).get("content");
        String first = between(user, "Continuation A:\n", "\n\nContinuation B:");
        String second = between(user, "Continuation B:\n", "\n\nWhich continuation");
        boolean a = first.contains("GOOD"), b = second.contains("GOOD");
        return a == b ? "tie" : a ? "**A**" : "B.";
    }

    private static String between(String s, String from, String to) {
        int i = s.indexOf(from) + from.length();
        return s.substring(i, s.indexOf(to, i));
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder();
        Json.quote(sb, s);
        return sb.toString();
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
