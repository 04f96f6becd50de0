package io.replag.agent.spi;

/**
 * A write the store refused because the record already holds a higher seq: another writer uses
 * this agent's key, or the seq went backwards. The engine reads the seq back and continues above it.
 */
public final class StaleSeqException extends RuntimeException {
    public StaleSeqException(String message) {
        super(message, null, false, false);
    }
}
