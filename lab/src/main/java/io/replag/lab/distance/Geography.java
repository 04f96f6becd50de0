package io.replag.lab.distance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * How far apart the lab's regions are, and how far replag's home region is from each: round-trip
 * times in milliseconds, changed live through {@code /lab/distance}. Every connection crossing a
 * distance pays half of the round trip on the way there and half on the way back, as a network
 * splits it.
 *
 * <p>{@link #NONE} is the zero-distance lab: no delay proxies at all, today's behaviour for tests
 * that need it. The {@code demo} figures are published averages of ping times between the three
 * lab regions (docs/lab.md cites them).
 */
public final class Geography {
    /** The name of replag's home when it is in none of the lab's regions ({@code uniform:MS}). */
    public static final String ELSEWHERE = "elsewhere";

    /** us-east-1 to eu-west-1, to ap-southeast-2, and eu-west-1 to ap-southeast-2; 1 ms within a region. */
    public static final Map<String, Long> DEMO_RTT_MS = Map.of(
            key("us-east-1", "eu-west-1"), 80L,
            key("us-east-1", "ap-southeast-2"), 230L,
            key("eu-west-1", "ap-southeast-2"), 310L);
    public static final long DEMO_LOCAL_RTT_MS = 1;

    private volatile String name;
    private final List<String> regions;
    private volatile String home;
    /** "a|b" (sorted) to round-trip ms; a pair not listed is {@link #otherRttMs} apart, a region from itself {@link #localRttMs}. */
    private final Map<String, Long> rttMs = new java.util.concurrent.ConcurrentHashMap<>();
    private final long localRttMs;
    private final long otherRttMs;

    private Geography(String name, List<String> regions, String home, Map<String, Long> rttMs, long localRttMs, long otherRttMs) {
        this.name = name;
        this.regions = List.copyOf(regions);
        this.home = home;
        this.rttMs.putAll(rttMs);
        this.localRttMs = localRttMs;
        this.otherRttMs = otherRttMs;
    }

    /** The zero-distance lab: no proxies. */
    public static final Geography NONE = new Geography("none", List.of(), "", Map.of(), 0, 0);

    /** The published round trips between the demo's regions, replag at home in {@code home}. */
    public static Geography demo(List<String> regions, String home) {
        return parse("demo", regions, home);
    }

    /**
     * {@code none}, {@code demo}, {@code remote:MS} (replag MS ms from regions next to each other) or
     * {@code uniform:MS} (everything MS ms apart).
     *
     * @throws IllegalArgumentException naming the value when it is none of them
     */
    public static Geography parse(String spec, List<String> regions, String home) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("none")) {
            return NONE;
        }
        if (!s.equals("demo") && !s.matches("(remote|uniform):\\d{1,5}")) {
            throw new IllegalArgumentException("--geography: must be none, demo, remote:<round trip ms> or uniform:<round trip ms>, found \""
                    + spec + "\"");
        }
        Geography g = new Geography(s, regions, home, Map.of(), 0, 0);
        g.preset(s, home);
        return g;
    }

    public String name() {
        return name;
    }

    /** False for {@link #NONE}: nothing is proxied and distances cannot be changed. */
    public boolean enabled() {
        return this != NONE;
    }

    public List<String> regions() {
        return regions;
    }

    public String home() {
        return home;
    }

    public void home(String region) {
        if (!regions.contains(region) && !region.equals(ELSEWHERE)) {
            throw new IllegalArgumentException("home: must be one of " + regions + " or " + ELSEWHERE + ", found \"" + region + "\"");
        }
        this.home = region;
    }

    /** Round trip between two places in ms; a place is a region or {@link #ELSEWHERE}. */
    public long rttMs(String a, String b) {
        if (!enabled()) {
            return 0;
        }
        Long set = rttMs.get(key(a, b));
        if (set != null) {
            return set;
        }
        if (a.equals(b)) {
            return a.equals(ELSEWHERE) ? 0 : localRttMs;
        }
        return otherRttMs;
    }

    /** One way from {@code from} to {@code to}, in µs: half the round trip. */
    public long oneWayMicros(String from, String to) {
        return rttMs(from, to) * 1000 / 2;
    }

    /** One way between replag's home and the region, in µs. */
    public long fromHomeMicros(String region) {
        return oneWayMicros(home, region);
    }

    /** Sets the round trip between two regions (or a region with itself). */
    public void rttMs(String a, String b, long ms) {
        if (!enabled()) {
            throw new IllegalStateException("the lab runs without distance (--geography none); restart it with a geography");
        }
        for (String r : List.of(a, b)) {
            if (!regions.contains(r) && !r.equals(ELSEWHERE)) {
                throw new NoSuchElementException("no lab region " + r + " (regions: " + regions + ", or " + ELSEWHERE + ")");
            }
        }
        if (ms < 0 || ms > 10_000) {
            throw new IllegalArgumentException("rttMs." + key(a, b) + ": must be 0 to 10000, found " + ms);
        }
        rttMs.put(key(a, b), ms);
    }

    /**
     * Reshapes a running geography: {@code none} (everything 0 ms apart, home in the first region),
     * {@code demo} (the published round trips, home in {@code home}), {@code remote:MS} (the regions
     * next to each other, replag MS ms from each of them) or {@code uniform:MS}.
     */
    public synchronized void preset(String spec, String homeRegion) {
        if (!enabled()) {
            throw new IllegalStateException("the lab runs without distance (--geography none); restart it with a geography");
        }
        String s = spec.trim().toLowerCase(Locale.ROOT);
        long between;
        long fromHome;
        String newHome = homeRegion;
        Map<String, Long> published = Map.of();
        long local = 0;
        if (s.equals("none")) {
            between = 0;
            fromHome = -1;
        } else if (s.equals("demo")) {
            between = 0;
            fromHome = -1;
            published = DEMO_RTT_MS;
            local = DEMO_LOCAL_RTT_MS;
        } else if (s.matches("(remote|uniform):\\d{1,5}")) {
            long ms = Long.parseLong(s.substring(s.indexOf(':') + 1));
            between = s.startsWith("uniform") ? ms : 0;
            fromHome = ms;
            newHome = ELSEWHERE;
        } else {
            throw new IllegalArgumentException("preset: must be none, demo, remote:<ms> or uniform:<ms>, found \"" + spec + "\"");
        }
        name = s;
        rttMs.clear();
        for (String a : regions) {
            rttMs.put(key(a, a), local);
            rttMs.put(key(a, ELSEWHERE), fromHome < 0 ? 0 : fromHome);
            for (String b : regions) {
                if (!a.equals(b)) {
                    rttMs.put(key(a, b), published.getOrDefault(key(a, b), between));
                }
            }
        }
        home(newHome);
    }

    /** Every pair of places with its round trip, home included, for {@code GET /lab/distance}. */
    public Map<String, Long> matrix() {
        List<String> places = new ArrayList<>(regions);
        if (!places.contains(home) && enabled()) {
            places.add(home);
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < places.size(); i++) {
            for (int j = i; j < places.size(); j++) {
                out.put(key(places.get(i), places.get(j)), rttMs(places.get(i), places.get(j)));
            }
        }
        return out;
    }

    /** The matrix key of two places, the same whichever comes first. */
    public static String key(String a, String b) {
        return a.compareTo(b) <= 0 ? a + "|" + b : b + "|" + a;
    }
}
