package io.replag.lab.distance;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A TCP proxy that puts distance between its clients and one lab server: every chunk of bytes,
 * in either direction, is delivered one-way-delay after it was read, in order. The delay is read
 * for every chunk, so a change through {@code /lab/distance} applies at once; a shorter delay
 * never lets a later chunk overtake an earlier one. Protocol-blind, so it serves PostgreSQL,
 * MySQL and the HTTP stores alike.
 *
 * <p>A server that refuses the connection makes the proxy reset its client's connection: the
 * client sees its connection fail, as across a real network, though as a reset rather than a refusal.
 */
public final class DelayProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DelayProxy.class);
    private static final byte[] END = new byte[0];

    private record Chunk(long dueNanos, byte[] bytes) {
    }

    private final String name;
    private final ServerSocket server;
    private final int upstreamPort;
    private final LongSupplier toServerMicros;
    private final LongSupplier toClientMicros;
    private final Gate toClient;
    private final ExecutorService threads;
    private volatile boolean closed;
    /** Every socket of a live connection, so that close ends the readers blocked on them. */
    private final java.util.Set<Socket> open = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param name         for thread names and logs, e.g. {@code postgres eu-west-1}
     * @param upstreamPort the server on 127.0.0.1
     * @param oneWayMicros the delay each way, read for every chunk
     */
    public DelayProxy(String name, int upstreamPort, LongSupplier oneWayMicros) throws IOException {
        this(name, upstreamPort, oneWayMicros, oneWayMicros, new Gate());
    }

    /**
     * A proxy whose two directions differ: a replication stream that the server sends to its
     * client (a replica) and that a lab link delays and pauses, while the replica's acknowledgements
     * cross only the distance.
     *
     * @param toServerMicros the delay of what the client sends, read for every chunk
     * @param toClientMicros the delay of what the server sends, read for every chunk
     * @param toClient       holds what the server sends while closed
     */
    public DelayProxy(String name, int upstreamPort, LongSupplier toServerMicros, LongSupplier toClientMicros, Gate toClient)
            throws IOException {
        this.name = name;
        this.upstreamPort = upstreamPort;
        this.toServerMicros = toServerMicros;
        this.toClientMicros = toClientMicros;
        this.toClient = toClient;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lab-distance-" + name.replace(' ', '-'));
            t.setDaemon(true);
            return t;
        });
        threads.execute(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                threads.execute(() -> connect(client));
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("distance proxy {} accept failed: {}", name, e.toString());
                }
            }
        }
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        try {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 5_000);
        } catch (IOException refused) {
            reset(client);
            closeQuietly(upstream);
            return;
        }
        open.add(client);
        open.add(upstream);
        java.util.concurrent.atomic.AtomicInteger ended = new java.util.concurrent.atomic.AtomicInteger();
        new Pipe(client, upstream, ended, toServerMicros, new Gate()).start();
        new Pipe(upstream, client, ended, toClientMicros, toClient).start();
    }

    /** One direction of one connection: a reader that stamps chunks, a writer that delivers them when due. */
    private final class Pipe {
        private final Socket from;
        private final Socket to;
        private final BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        /** Directions of this connection that ended cleanly; at two, both sockets close. */
        private final java.util.concurrent.atomic.AtomicInteger ended;
        private final LongSupplier delayMicros;
        private final Gate gate;
        private long lastDueNanos;

        Pipe(Socket from, Socket to, java.util.concurrent.atomic.AtomicInteger ended, LongSupplier delayMicros, Gate gate) {
            this.from = from;
            this.to = to;
            this.ended = ended;
            this.delayMicros = delayMicros;
            this.gate = gate;
        }

        void start() {
            threads.execute(this::read);
            threads.execute(this::write);
        }

        private void read() {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    queue.add(new Chunk(due(), Arrays.copyOf(buffer, n)));
                }
                queue.add(new Chunk(due(), END));
            } catch (IOException e) {
                queue.add(new Chunk(due(), null)); // reset or closed under us: end both ways
            }
        }

        private long due() {
            long due = System.nanoTime() + delayMicros.getAsLong() * 1_000;
            lastDueNanos = Math.max(lastDueNanos, due); // never overtake an earlier chunk
            return lastDueNanos;
        }

        private void write() {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk c = queue.take();
                    gate.awaitOpen();
                    for (long wait = c.dueNanos - System.nanoTime(); wait > 0; wait = c.dueNanos - System.nanoTime()) {
                        LockSupport.parkNanos(wait); // the distance itself
                    }
                    if (c.bytes == null) {
                        abort();
                        return;
                    }
                    if (c.bytes == END) {
                        to.shutdownOutput();
                        if (ended.incrementAndGet() == 2) {
                            closeQuietly(from);
                            closeQuietly(to);
                        }
                        return;
                    }
                    out.write(c.bytes);
                    out.flush();
                }
            } catch (IOException e) {
                abort();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abort();
            }
        }

        private void abort() {
            reset(from);
            reset(to);
        }
    }

    private void reset(Socket s) {
        open.remove(s);
        try {
            if (!s.isClosed()) {
                s.setSoLinger(true, 0);
                s.close();
            }
        } catch (IOException ignored) {
            // gone already
        }
    }

    private void closeQuietly(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // gone already
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.forEach(this::reset);
        threads.shutdownNow();
        try {
            threads.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
