package io.replag.agent.engine;

/** A store call that did not answer within the set's request timeout. */
public final class CallTimeoutException extends RuntimeException {
    public CallTimeoutException(String message) {
        super(message, null, false, false);
    }
}
