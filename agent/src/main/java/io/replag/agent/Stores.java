package io.replag.agent;

import io.replag.agent.spi.StoreProvider;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The stores replag knows: every {@link StoreProvider} registered in
 * {@code META-INF/services/io.replag.agent.spi.StoreProvider} on the class path (each store's
 * {@code @AutoService} writes its line), in the order of their keys.
 */
public final class Stores {
    private static final List<StoreProvider<?>> ALL = load();

    private Stores() {
    }

    private static List<StoreProvider<?>> load() {
        Map<String, StoreProvider<?>> byKey = new LinkedHashMap<>();
        for (StoreProvider<?> provider : ServiceLoader.load(StoreProvider.class, Stores.class.getClassLoader())) {
            StoreProvider<?> other = byKey.putIfAbsent(provider.key(), provider);
            if (other != null && other.getClass() != provider.getClass()) {
                throw new IllegalStateException("two stores with the key \"" + provider.key() + "\": "
                        + other.getClass().getName() + " and " + provider.getClass().getName());
            }
        }
        List<StoreProvider<?>> all = new ArrayList<>(byKey.values());
        all.sort(java.util.Comparator.comparing(p -> p.key()));
        return List.copyOf(all);
    }

    public static List<StoreProvider<?>> all() {
        return ALL;
    }

    public static Optional<StoreProvider<?>> byKey(String key) {
        return ALL.stream().filter(p -> p.key().equals(key)).findFirst();
    }

    public static List<String> keys() {
        return ALL.stream().<String>map(StoreProvider::key).toList();
    }
}
