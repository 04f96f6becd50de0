package io.replag.lab;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.StreamSupport;

/** The lab stores on the class path, found with {@link ServiceLoader}, in the order of their store keys. */
public final class LabStores {
    private static final List<LabStoreProvider> ALL = StreamSupport
            .stream(ServiceLoader.load(LabStoreProvider.class, LabStores.class.getClassLoader()).spliterator(), false)
            .sorted(Comparator.comparing(LabStoreProvider::store))
            .toList();

    private LabStores() {
    }

    public static List<LabStoreProvider> all() {
        return ALL;
    }

    public static Optional<LabStoreProvider> byStore(String store) {
        return ALL.stream().filter(p -> p.store().equals(store)).findFirst();
    }
}
