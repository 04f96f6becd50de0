package io.replag.agent.spi;

/**
 * The options a store reads from its section of a replication set ({@code postgres:},
 * {@code dynamodb:}, ...). Each store's options record implements it; its provider names the
 * type in {@link StoreProvider#optionsType()} so that no store casts an {@code Object}.
 */
public interface StoreOptions {
}
