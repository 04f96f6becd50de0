package io.replag.lab;

import io.replag.lab.distance.DelayProxy;
import io.replag.lab.distance.Geography;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Every lab store of a demo or test run, behind one control surface. With a geography, replag
 * reaches every region's endpoint through a {@link DelayProxy} that puts the distance from
 * replag's home region in between; without one ({@link Geography#NONE}) it connects directly.
 */
public final class Lab implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Lab.class);

    private final List<LabStore> stores;
    private final Geography geography;
    /** "store/region" to the proxy replag connects through. */
    private final Map<String, DelayProxy> clientDistance = new LinkedHashMap<>();
    /** "store/region@home" to the proxy an agent at home elsewhere connects through (per-region demo). */
    private final Map<String, DelayProxy> agentDistance = new LinkedHashMap<>();

    public Lab(List<LabStore> stores) {
        this.stores = List.copyOf(stores);
        this.geography = Geography.NONE;
    }

    /** @throws IOException if a proxy cannot listen; what was started is closed */
    public Lab(List<LabStore> stores, Geography geography) throws IOException {
        this.stores = List.copyOf(stores);
        this.geography = geography;
        if (geography.enabled()) {
            try {
                for (LabStore store : stores) {
                    for (var e : store.ports().entrySet()) {
                        String region = e.getKey();
                        clientDistance.put(store.store() + "/" + region, new DelayProxy(store.store() + " " + region, e.getValue(),
                                () -> geography.fromHomeMicros(region)));
                    }
                }
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
            LOG.info("lab distance: geography {}, replag at home in {}, round trips {} ms", geography.name(), geography.home(),
                    geography.matrix());
        }
    }

    public List<LabStore> stores() {
        return stores;
    }

    public Geography geography() {
        return geography;
    }

    /** The port replag uses for the store's endpoint in the region: behind the distance from its home, if any. */
    public int port(String store, String region) {
        DelayProxy proxy = clientDistance.get(store + "/" + region);
        if (proxy != null) {
            return proxy.port();
        }
        Integer direct = store(store).ports().get(region);
        if (direct == null) {
            throw new NoSuchElementException("no " + store + " lab region " + region);
        }
        return direct;
    }

    /** Region to {@link #port(String, String)} for one store. */
    public Map<String, Integer> ports(String store) {
        Map<String, Integer> out = new LinkedHashMap<>();
        store(store).ports().keySet().forEach(region -> out.put(region, port(store, region)));
        return out;
    }

    /**
     * The port an agent at home in {@code home} uses for the store's endpoint in the region: behind
     * the distance between the two (the per-region demo, where each agent has its own home).
     */
    public synchronized int port(String store, String region, String home) {
        if (!geography.enabled()) {
            return port(store, region);
        }
        String key = store + "/" + region + "@" + home;
        DelayProxy proxy = agentDistance.get(key);
        if (proxy == null) {
            Integer direct = store(store).ports().get(region);
            if (direct == null) {
                throw new NoSuchElementException("no " + store + " lab region " + region);
            }
            try {
                proxy = new DelayProxy(store + " " + region + " from " + home, direct, () -> geography.oneWayMicros(home, region));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            agentDistance.put(key, proxy);
        }
        return proxy.port();
    }

    /** Region to {@link #port(String, String, String)} for one store. */
    public Map<String, Integer> ports(String store, String home) {
        Map<String, Integer> out = new LinkedHashMap<>();
        store(store).ports().keySet().forEach(region -> out.put(region, port(store, region, home)));
        return out;
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

    public boolean has(String key) {
        return stores.stream().anyMatch(s -> s.store().equals(key));
    }

    public LinkState change(String store, String source, String target, LinkChange change) throws Exception {
        return store(store).change(source, target, change);
    }

    @Override
    public void close() {
        clientDistance.values().forEach(DelayProxy::close);
        synchronized (this) {
            agentDistance.values().forEach(DelayProxy::close);
        }
        for (int i = stores.size() - 1; i >= 0; i--) {
            stores.get(i).close();
        }
    }
}
