package io.replag.agent;

import io.replag.agent.dynamodb.DynamoDbStoreProvider;
import io.replag.agent.mysql.MySqlStoreProvider;
import io.replag.agent.postgres.PostgresStoreProvider;
import io.replag.agent.s3.S3StoreProvider;
import io.replag.agent.spi.StoreProvider;

import java.util.List;
import java.util.Optional;

/** The stores replag knows. A new store adds its provider here. */
public final class Stores {
    private static final List<StoreProvider> ALL = List.of(new PostgresStoreProvider(), new MySqlStoreProvider(), new DynamoDbStoreProvider(), new S3StoreProvider());

    private Stores() {
    }

    public static List<StoreProvider> all() {
        return ALL;
    }

    public static Optional<StoreProvider> byKey(String key) {
        return ALL.stream().filter(p -> p.key().equals(key)).findFirst();
    }

    public static List<String> keys() {
        return ALL.stream().map(StoreProvider::key).toList();
    }
}
