package io.replag.lab;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/** The fault proxies of one lab store, one per region: what {@link LabStore#fault} and {@link LabStore#faults} serve. */
public final class FaultProxies implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FaultProxies.class);

    private final String store;
    private final Map<String, FaultProxy> proxies = new LinkedHashMap<>();

    public FaultProxies(String store) {
        this.store = store;
    }

    public void put(String region, FaultProxy proxy) {
        proxies.put(region, proxy);
    }

    public Fault fault(String region, Fault fault) {
        FaultProxy proxy = proxies.get(region);
        if (proxy == null) {
            throw new NoSuchElementException("no " + store + " lab region " + region);
        }
        proxy.fault(fault);
        LOG.info("lab fault {} {}: latency {} ms, {}", store, region, fault.latencyMs(), fault.kind());
        return fault;
    }

    public Map<String, Fault> faults() {
        Map<String, Fault> out = new LinkedHashMap<>();
        proxies.forEach((region, proxy) -> out.put(region, proxy.fault()));
        return out;
    }

    /** Region to the port replag should use: the proxy in front of that region's server. */
    public Map<String, Integer> ports() {
        Map<String, Integer> out = new LinkedHashMap<>();
        proxies.forEach((region, proxy) -> out.put(region, proxy.port()));
        return out;
    }

    @Override
    public void close() {
        proxies.values().forEach(FaultProxy::close);
    }
}
