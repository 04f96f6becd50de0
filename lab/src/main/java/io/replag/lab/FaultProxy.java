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
 * An HTTP/1.1 proxy in front of one lab region's endpoint (DynamoDB today, S3 later) that can add
 * latency, answer with the store's throttling error or a 500, or reset connections, switched at
 * run time. Raw sockets rather than an HTTP server library, because only a raw socket can send a
 * real TCP reset. Requests must carry Content-Length (the AWS SDKs' JSON and XML calls do).
 */
public final class FaultProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);

    private final ServerSocket server;
    private final int upstreamPort;
    private final byte[] throttleResponse;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lab-fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private volatile Fault fault = Fault.NONE;

    /**
     * @param upstreamPort    the real endpoint on 127.0.0.1
     * @param throttleStatus  HTTP status of the store's throttling answer
     * @param throttleType    content type of that answer
     * @param throttleBody    body of that answer
     */
    public FaultProxy(int upstreamPort, int throttleStatus, String throttleType, String throttleBody) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.upstreamPort = upstreamPort;
        this.throttleResponse = response(throttleStatus, "Throttled", throttleType, throttleBody);
        threads.execute(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    public Fault fault() {
        return fault;
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
        try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
            InputStream fromClient = client.getInputStream();
            OutputStream toClient = client.getOutputStream();
            InputStream fromUpstream = upstream.getInputStream();
            OutputStream toUpstream = upstream.getOutputStream();
            while (true) {
                byte[] request = readMessage(fromClient, false);
                if (request == null) {
                    return;
                }
                Fault f = fault;
                if (f.latencyMs() > 0) {
                    Thread.sleep(f.latencyMs()); // the injected latency itself
                }
                switch (f.kind()) {
                    case "reset" -> {
                        client.setSoLinger(true, 0);
                        return;
                    }
                    case "throttle" -> toClient.write(throttleResponse);
                    case "error" -> toClient.write(response(500, "Internal Server Error", "text/plain", "lab fault: 500"));
                    default -> {
                        toUpstream.write(request);
                        toUpstream.flush();
                        byte[] answer = readMessage(fromUpstream, true);
                        if (answer == null) {
                            return;
                        }
                        toClient.write(answer);
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

    /** Reads one HTTP/1.1 message (head and Content-Length or chunked body); null at end of stream. */
    private static byte[] readMessage(InputStream in, boolean response) throws IOException {
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
        Map<String, String> headers = headers(head.toString(StandardCharsets.ISO_8859_1));
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.write(head.toByteArray());
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

    private static byte[] response(int status, String reason, String type, String body) {
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
