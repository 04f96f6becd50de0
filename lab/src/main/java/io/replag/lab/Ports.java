package io.replag.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free loopback ports for the lab's servers. */
public final class Ports {
    private Ports() {
    }

    /** A port nothing listens on now (the kernel's choice); the caller binds it soon after. */
    public static int free() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
