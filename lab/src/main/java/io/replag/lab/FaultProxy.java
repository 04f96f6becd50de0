package io.replag.lab;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 proxy in front of one lab region's endpoint (DynamoDB, S3) that can add
 * latency, answer with the store's throttling error or a 500, deny writes alone with the store's
 * access-denied error, or reset connections, switched at run time. Raw sockets rather than an HTTP server library, because only a raw socket can send a
 * real TCP reset. Requests must carry Content-Length (the AWS SDKs' JSON and XML calls do).
 */
public final class FaultProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);

    private final ServerSocket server;
    private final int upstreamPort;
    private final byte[] throttleResponse;
    private final byte[] deniedResponse;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lab-fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private volatile Fault fault = Fault.NONE;
    private volatile Tap tap;

    /**
     * Sees every request the upstream answered with 200, before the client gets the answer: the
     * lab's replication learns of a write as the service's change stream would (DynamoDB Streams).
     * Called on the connection's own thread; must be thread-safe.
     */
    @FunctionalInterface
    public interface Tap {
        /**
         * @param path           the request's path, without the query, as sent (percent-encoded)
         * @param requestHeaders names in lower case
         * @param requestBody    the request's body (Content-Length framed), copied only when asked for
         * @param answerBody     the upstream answer's body, copied only when asked for
         */
        void answered(String method, String path, Map<String, String> requestHeaders,
                      java.util.function.Supplier<byte[]> requestBody, java.util.function.Supplier<byte[]> answerBody);
    }
    private final ResponseHeaders extraHeaders;

    /** Headers the lab adds to a successful answer, where the emulated store would send them and the lab's server does not. */
    @FunctionalInterface
    public interface ResponseHeaders {
        /**
         * @param method          the request's method
         * @param path            the request's path, without the query
         * @param responseHeaders the upstream answer's headers, names in lower case
         * @return headers to add (none: an empty map)
         */
        Map<String, String> extra(String method, String path, Map<String, String> responseHeaders);

        ResponseHeaders NONE = (m, p, h) -> Map.of();
    }

    /**
     * The store's own error answers.
     *
     * @param contentType    content type of the answers
     * @param throttleStatus HTTP status of the store's throttling answer
     * @param throttleBody   body of that answer
     * @param deniedStatus   HTTP status of the store's access-denied answer
     * @param deniedBody     body of that answer
     */
    public record Answers(String contentType, int throttleStatus, String throttleBody, int deniedStatus, String deniedBody) {
    }

    /** @param upstreamPort the real endpoint on 127.0.0.1 */
    public FaultProxy(int upstreamPort, Answers answers) throws IOException {
        this(upstreamPort, answers, ResponseHeaders.NONE);
    }

    public FaultProxy(int upstreamPort, Answers answers, ResponseHeaders extraHeaders) throws IOException {
        this.extraHeaders = extraHeaders;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.upstreamPort = upstreamPort;
        this.throttleResponse = response(answers.throttleStatus(), "Throttled", answers.contentType(), answers.throttleBody());
        this.deniedResponse = response(answers.deniedStatus(), "Denied", answers.contentType(), answers.deniedBody());
        threads.execute(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    public Fault fault() {
        return fault;
    }

    public void tap(Tap tap) {
        this.tap = tap;
    }

    public void fault(Fault fault) {
        this.fault = fault;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.warn("fault proxy accept failed: {}", e.toString());
                }
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream fromClient = client.getInputStream();
            OutputStream toClient = client.getOutputStream();
            while (true) {
                byte[] requestHead = readHead(fromClient);
                if (requestHead == null) {
                    return;
                }
                String head = new String(requestHead, StandardCharsets.ISO_8859_1);
                Map<String, String> requestHeaders = headers(head);
                if ("100-continue".equalsIgnoreCase(requestHeaders.getOrDefault("expect", ""))) {
                    // answer for the upstream, whose answer this proxy would otherwise have to relay mid-request
                    toClient.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    toClient.flush();
                    requestHead = head.replaceAll("(?im)^expect:[^\r\n]*\r\n", "").getBytes(StandardCharsets.ISO_8859_1);
                }
                byte[] request = withBody(requestHead, requestHeaders, fromClient);
                String[] requestLine = head.substring(0, head.indexOf("\r\n")).split(" ");
                String method = requestLine[0];
                String path = requestLine.length > 1 ? requestLine[1].split("\\?")[0] : "/";
                Fault f = fault;
                if (f.latencyMs() > 0) {
                    Thread.sleep(f.latencyMs()); // the injected latency itself
                }
                String kind = "deny_writes".equals(f.kind()) ? (isWrite(method, requestHeaders) ? "deny" : "none") : f.kind();
                switch (kind) {
                    case "deny" -> toClient.write(deniedResponse);
                    case "reset" -> {
                        client.setSoLinger(true, 0);
                        return;
                    }
                    case "throttle" -> toClient.write(throttleResponse);
                    case "error" -> toClient.write(response(500, "Internal Server Error", "text/plain", "lab fault: 500"));
                    default -> {
                        // a fresh upstream connection per request: the server's own idle timeout (node's 5 s
                        // keep-alive) must not close a connection under a client that kept its side open
                        try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
                            OutputStream toUpstream = upstream.getOutputStream();
                            InputStream fromUpstream = upstream.getInputStream();
                            toUpstream.write(request);
                            toUpstream.flush();
                            byte[] answerHead = readHead(fromUpstream);
                            if (answerHead == null) {
                                return;
                            }
                            Map<String, String> answerHeaders = headers(new String(answerHead, StandardCharsets.ISO_8859_1));
                            // a HEAD answer announces a length but has no body
                            byte[] answer = "HEAD".equals(method) ? answerHead : withBody(answerHead, answerHeaders, fromUpstream);
                            Tap t = tap;
                            if (t != null && new String(answerHead, 0, Math.min(answerHead.length, 12), StandardCharsets.ISO_8859_1).equals("HTTP/1.1 200")) {
                                int requestBodyAt = requestHead.length;
                                t.answered(method, path, requestHeaders, () -> java.util.Arrays.copyOfRange(request, requestBodyAt, request.length),
                                        () -> java.util.Arrays.copyOfRange(answer, answerHead.length, answer.length));
                            }
                            toClient.write(addHeaders(answer, method, path, answerHeaders));
                        }
                    }
                }
                toClient.flush();
            }
        } catch (SocketException closed) {
            // client or upstream went away
        } catch (IOException e) {
            LOG.debug("fault proxy connection ended: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final java.util.regex.Pattern DYNAMODB_WRITES =
            java.util.regex.Pattern.compile(".*\\.(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)");

    /** A write: DynamoDB's write operations (every call is a POST naming its operation), else PUT, POST, DELETE (S3). */
    static boolean isWrite(String method, Map<String, String> requestHeaders) {
        String target = requestHeaders.get("x-amz-target");
        if (target != null) {
            return DYNAMODB_WRITES.matcher(target).matches();
        }
        return method.equals("PUT") || method.equals("POST") || method.equals("DELETE");
    }

    /** Reads the head of one HTTP/1.1 message, up to and including the blank line; null at end of stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0D0A0D0A) { // the blank line that ends the head
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        return head.toByteArray();
    }

    /** The head followed by the message's body (Content-Length or chunked). */
    private static byte[] withBody(byte[] head, Map<String, String> headers, InputStream in) throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.write(head);
        if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
            while (true) {
                String sizeLine = readLine(in);
                message.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
                message.write(in.readNBytes(size + 2));
                if (size == 0) {
                    return message.toByteArray();
                }
            }
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        message.write(in.readNBytes(length));
        return message.toByteArray();
    }

    private byte[] addHeaders(byte[] answer, String method, String path, Map<String, String> answerHeaders) {
        String text = new String(answer, 0, Math.min(answer.length, 16), StandardCharsets.ISO_8859_1);
        if (!text.startsWith("HTTP/1.1 200")) {
            return answer;
        }
        Map<String, String> extra = extraHeaders.extra(method, path, answerHeaders);
        if (extra.isEmpty()) {
            return answer;
        }
        int lineEnd = indexOfCrlf(answer);
        StringBuilder added = new StringBuilder();
        extra.forEach((k, v) -> added.append(k).append(": ").append(v).append("\r\n"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(answer, 0, lineEnd + 2);
        out.writeBytes(added.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(answer, lineEnd + 2, answer.length - lineEnd - 2);
        return out.toByteArray();
    }

    private static int indexOfCrlf(byte[] b) {
        for (int i = 0; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return b.length - 2;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private static Map<String, String> headers(String head) {
        Map<String, String> out = new LinkedHashMap<>();
        String[] lines = head.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                out.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        return out;
    }

    static byte[] response(int status, String reason, String type, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: " + type + "\r\nContent-Length: " + b.length
                + "\r\nx-amzn-RequestId: lab-fault\r\n\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(b);
        return out.toByteArray();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
