package io.replag.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/** Every lab store of a demo or test run, behind one control surface. */
public final class Lab implements AutoCloseable {
    private final List<LabStore> stores;

    public Lab(List<LabStore> stores) {
        this.stores = List.copyOf(stores);
    }

    public List<LabStore> stores() {
        return stores;
    }

    public List<LinkState> links() {
        List<LinkState> all = new ArrayList<>();
        stores.forEach(s -> all.addAll(s.links()));
        return all;
    }

    public LabStore store(String key) {
        return stores.stream().filter(s -> s.store().equals(key)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no lab store " + key));
    }

    public LinkState change(String store, String source, String target, LinkChange change) throws Exception {
        return store(store).change(source, target, change);
    }

    @Override
    public void close() {
        for (int i = stores.size() - 1; i >= 0; i--) {
            stores.get(i).close();
        }
    }
}
