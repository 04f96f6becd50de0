package io.replag.tools;

import io.replag.agent.Stores;
import io.replag.agent.spi.StoreProvider;
import io.replag.exporter.TestFiles;
import io.replag.lab.LabStores;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A store is its agent package, its lab package, its docs pages and its entry in the monitoring
 * mixin's config: this test lists every other file of the product's code, build scripts and
 * images that names a store (its key as a string or word, or a class of its packages), and
 * expects none. Excepted, and said in docs/adding-a-store.md: the Maven poms (a store's client
 * library is a dependency of the module its package is in), tools/compare with scripts/compare
 * and scripts/soak (see {@link #EXCEPTED}).
 */
class StoreBoundaryTest {
    private static final List<String> CODE_ROOTS = List.of("agent/src/main", "lab/src/main", "exporter/src/main", "tools/src/main");
    private static final List<String> TOP_FILES = List.of(".ci/run", "replag", "Dockerfile", "docker-compose.yml");
    /**
     * compare: measures replag against postgres_exporter, mysqld_exporter and pt-heartbeat, which
     * exist only for those two stores; soak and abuse: scripted sequences on the demo's stores. A new
     * store needs neither changed.
     */
    private static final List<String> EXCEPTED = List.of("tools/src/main/java/io/replag/tools/compare/",
            "tools/src/main/resources/io/replag/tools/compare/", "scripts/compare", "scripts/soak", "scripts/abuse");

    record Store(String key, List<String> packages) {
    }

    static List<Store> stores() {
        List<Store> stores = new ArrayList<>();
        for (StoreProvider<?> provider : Stores.all()) {
            List<String> packages = new ArrayList<>();
            packages.add(provider.getClass().getPackageName());
            LabStores.byStore(provider.key()).ifPresent(lab -> packages.add(lab.getClass().getPackageName()));
            stores.add(new Store(provider.key(), packages));
        }
        return stores;
    }

    @Test
    void noFileOutsideAStoresOwnPackagesNamesIt() throws IOException {
        Path root = TestFiles.repoRoot();
        List<Store> stores = stores();
        assertThat(stores).extracting(Store::key).contains("postgres", "mysql", "dynamodb", "s3");
        List<Path> files = new ArrayList<>();
        for (String dir : CODE_ROOTS) {
            try (Stream<Path> walk = Files.walk(root.resolve(dir))) {
                walk.filter(Files::isRegularFile).forEach(files::add);
            }
        }
        TOP_FILES.forEach(f -> files.add(root.resolve(f)));
        try (Stream<Path> scripts = Files.list(root.resolve("scripts"))) {
            scripts.filter(Files::isRegularFile).forEach(files::add);
        }
        List<String> offenders = new ArrayList<>();
        for (Path file : files) {
            String relative = root.relativize(file).toString();
            if (EXCEPTED.stream().anyMatch(relative::startsWith)) {
                continue;
            }
            String text = code(file, Files.readString(file));
            for (Store store : stores) {
                if (store.packages().stream().anyMatch(p -> relative.contains("/" + p.replace('.', '/') + "/"))) {
                    continue;
                }
                for (String naming : namings(text, store, relative.endsWith(".java"))) {
                    offenders.add(relative + " names " + store.key() + ": " + naming);
                }
            }
        }
        offenders.forEach(o -> System.out.println("StoreBoundaryTest: " + o));
        assertThat(offenders).as("files outside a store's packages that name it").isEmpty();
    }

    @Test
    void theCheckFindsAStoreNamedOutsideItsPackages() {
        Store store = new Store("dynamodb", List.of("io.replag.agent.dynamodb", "io.replag.lab.dynamodb"));
        assertThat(namings(code(Path.of("X.java"), "class X { String s = \"dynamodb\"; }"), store, true)).hasSize(1);
        assertThat(namings(code(Path.of("X.java"), "import io.replag.lab.dynamodb.DynamoLab;"), store, true)).hasSize(1);
        assertThat(namings(code(Path.of("X.java"), "/** DynamoDB and dynamodb in a comment */ class X {}"), store, true)).isEmpty();
        assertThat(namings(code(Path.of("run"), "apt-get install dynamodb-local # dynamodb"), store, false)).hasSize(1);
        assertThat(namings(code(Path.of("run"), "# only a comment about dynamodb"), store, false)).isEmpty();
    }

    /** The file without its comments: a comment may use a store as an example. */
    static String code(Path file, String text) {
        String name = file.getFileName().toString();
        if (name.endsWith(".java")) {
            return text.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("(?m)//.*$", "");
        }
        if (name.endsWith(".properties") || !name.contains(".") || name.endsWith(".yml") || name.endsWith(".yaml")
                || name.equals("Dockerfile") || name.endsWith(".sh")) {
            return text.replaceAll("(?m)(^|\\s)#.*$", "");
        }
        return text;
    }

    static List<String> namings(String code, Store store, boolean java) {
        List<String> found = new ArrayList<>();
        Pattern name = java ? Pattern.compile("\"" + Pattern.quote(store.key()) + "\"")
                : Pattern.compile("(?<![\\w-])" + Pattern.quote(store.key()) + "(?![\\w])");
        Matcher m = name.matcher(code);
        while (m.find()) {
            found.add(line(code, m.start()));
        }
        for (String p : store.packages()) {
            Matcher pm = Pattern.compile(Pattern.quote(p) + "\\.[A-Za-z]").matcher(code);
            while (pm.find()) {
                found.add(line(code, pm.start()));
            }
        }
        return found;
    }

    private static String line(String code, int at) {
        int start = code.lastIndexOf('\n', at) + 1;
        int end = code.indexOf('\n', at);
        return code.substring(start, end < 0 ? code.length() : end).strip();
    }
}
