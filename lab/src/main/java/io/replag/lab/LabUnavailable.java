package io.replag.lab;

/** A lab store cannot run on this machine (a server it needs is not installed); the message says what to install. */
public class LabUnavailable extends Exception {
    public LabUnavailable(String message) {
        super(message);
    }
}
