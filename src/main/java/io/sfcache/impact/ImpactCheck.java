package io.sfcache.impact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The impact check the Salesforce team runs on a change before deploying it (apex/README.md, "Impact check before you
 * deploy"): what the change would break in sfcache, per monitored object and field, with how many cached records it
 * touches. A plain main class in sfcache's jar, no Spring context:
 *
 * <pre>
 * java -cp sfcache.jar -Dloader.main=io.sfcache.impact.ImpactCheck \
 *      org.springframework.boot.loader.launch.PropertiesLauncher \
 *      --source force-app --sfcache-url https://sfcache.example.com --format text
 * </pre>
 *
 * Exit codes: 0 safe, 1 needs a contract update, 2 breaks, 3 the check could not be made (usage, unreadable input,
 * sfcache unreachable or refusing the token).
 */
public final class ImpactCheck {

    static final int CANNOT_CHECK = 3;

    static final String USAGE = """
            Usage: ImpactCheck (--source DIR | --describe FILE)... [options]
              --source DIR               SFDX source folder or unzipped Metadata API retrieve holding the change
                                         (objects/*/fields/*.field-meta.xml, objects/*.object, standardValueSets,
                                         globalValueSets). Only its fields are compared: a field it leaves out is
                                         unchanged. A destructiveChanges*.xml at its top deletes fields.
              --destructive-changes FILE package manifest of deleted CustomField / CustomObject members
              --describe FILE            an object's describe JSON from a sandbox with the change (REST
                                         .../sobjects/<Object>/describe or `sf sobject describe --json`): the whole
                                         object, so a contract field missing from it is removed
              --baseline PATH            source folder or describe JSON as deployed now: field labels, to tell a
                                         rename from a removal
              --contracts DIR            data contracts (*.schema.json, repeatable); default: from --sfcache-url,
                                         else the ones in this jar
              --sfcache-url URL          running sfcache (or env SFCACHE_URL): contracts and cached-record counts
              --token-file FILE          bearer token with sfcache's ops role (default: env SFCACHE_TOKEN)
              --format text|json         default text
            Exit codes: 0 safe, 1 needs a contract update, 2 breaks, 3 could not check.
            """;

    private ImpactCheck() {}

    public static void main(String[] args) {
        // A command-line tool: its report is its output (the reason System.out is used here and only here). Whatever
        // a library prints meanwhile goes to stderr, so that stdout is the report alone (JSON that tools can parse):
        // e.g. spring-jcl's "Standard Commons Logging discovery in action" line, printed to System.out.
        PrintStream report = System.out;
        System.setOut(System.err);
        System.exit(run(args, report, System.err, System.getenv()));
    }

    /** The check as {@link #main} runs it, with its output and environment given: for callers in the same JVM. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        return run(args, out, err, env, OpsApi::new);
    }

    /** @param opsApi makes the client of a running sfcache from its URL and a token */
    static int run(
            String[] args,
            PrintStream out,
            PrintStream err,
            Map<String, String> env,
            TriFunction<String, String, ObjectMapper, ? extends CacheCounts> opsApi) {
        ObjectMapper json = new ObjectMapper();
        Options options;
        try {
            options = Options.parse(args, env);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return CANNOT_CHECK;
        }
        if (options.help) {
            out.print(USAGE);
            return 0;
        }
        try {
            CacheCounts counts = options.sfcacheUrl == null
                    ? CacheCounts.UNKNOWN
                    : opsApi.apply(options.sfcacheUrl, options.token(env), json);
            Contracts contracts = contracts(options, counts, json);

            ChangeSet changes = new ChangeSet(json);
            List<String> inputs = new ArrayList<>();
            for (Path source : options.sources) {
                changes.readSource(source);
                inputs.add(source + " (source)");
            }
            for (Path manifest : options.destructiveChanges) {
                changes.readDestructiveChanges(manifest);
                inputs.add(manifest + " (destructive changes)");
            }
            for (Path describe : options.describes) {
                changes.readDescribe(describe);
                inputs.add(describe + " (describe)");
            }
            for (Path baseline : options.baselines) {
                changes.readBaseline(baseline);
                inputs.add(baseline + " (baseline labels)");
            }
            ImpactReport report = Impact.assess(changes, contracts.loaded, counts, inputs, contracts.from);
            out.print("json".equals(options.format) ? report.json(json) : report.text());
            out.flush();
            return report.exitCode();
        } catch (IOException | RuntimeException e) {
            err.println("Impact check failed: " + e.getMessage());
            return CANNOT_CHECK;
        }
    }

    /** Three arguments, one result: the client factory's shape. */
    @FunctionalInterface
    interface TriFunction<A, B, C, R> {
        R apply(A a, B b, C c);
    }

    /** @param from where they came from, for the report */
    record Contracts(DataContracts loaded, String from) {}

    private static Contracts contracts(Options options, CacheCounts sfcache, ObjectMapper json) throws IOException {
        Map<String, JsonNode> schemas = new LinkedHashMap<>();
        String from;
        if (!options.contracts.isEmpty()) {
            for (Path directory : options.contracts) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(directory)) {
                    files = walk.filter(p -> p.getFileName().toString().endsWith(".schema.json"))
                            .sorted()
                            .toList();
                }
                for (Path file : files) {
                    JsonNode schema = json.readTree(file.toFile());
                    if (schema.path("x-sfcache").has("sobject")) { // the change-message envelope is no data contract
                        schemas.put(file.toString(), schema);
                    }
                }
            }
            from = options.contracts.stream().map(Path::toString).collect(Collectors.joining(", "));
        } else if (sfcache.source() != null) {
            schemas.putAll(sfcache.contracts());
            from = sfcache.source();
        } else {
            for (Resource resource : new PathMatchingResourcePatternResolver()
                    .getResources("classpath*:contracts/objects/*.schema.json")) {
                schemas.put("classpath:contracts/objects/" + resource.getFilename(), read(resource, json));
            }
            from = "the ones shipped in this jar (classpath:contracts/objects/)";
        }
        if (schemas.isEmpty()) {
            throw new IllegalArgumentException("no data contract found in " + from);
        }
        DataContracts loaded = new DataContracts(schemas, json);
        return new Contracts(
                loaded,
                from + " (" + loaded.all().stream().map(DataContract::sobject).collect(Collectors.joining(", ")) + ")");
    }

    private static JsonNode read(Resource resource, ObjectMapper json) {
        try (InputStream in = resource.getInputStream()) {
            return json.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource + ": " + e.getMessage(), e);
        }
    }

    /** The command line. */
    static final class Options {
        final List<Path> sources = new ArrayList<>();
        final List<Path> destructiveChanges = new ArrayList<>();
        final List<Path> describes = new ArrayList<>();
        final List<Path> baselines = new ArrayList<>();
        final List<Path> contracts = new ArrayList<>();
        String sfcacheUrl;
        Path tokenFile;
        String format = "text";
        boolean help;

        static Options parse(String[] args, Map<String, String> env) {
            Options o = new Options();
            o.sfcacheUrl = blankToNull(env.get("SFCACHE_URL"));
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--help") || arg.equals("-h")) {
                    o.help = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(arg + " needs a value");
                }
                String value = args[++i];
                switch (arg) {
                    case "--source" -> o.sources.add(existing(value));
                    case "--destructive-changes" -> o.destructiveChanges.add(existing(value));
                    case "--describe" -> o.describes.add(existing(value));
                    case "--baseline" -> o.baselines.add(existing(value));
                    case "--contracts" -> o.contracts.add(existing(value));
                    case "--sfcache-url" -> o.sfcacheUrl = value;
                    case "--token-file" -> o.tokenFile = existing(value);
                    case "--format" -> {
                        if (!value.equals("text") && !value.equals("json")) {
                            throw new IllegalArgumentException("--format is text or json, not " + value);
                        }
                        o.format = value;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            if (!o.help && o.sources.isEmpty() && o.describes.isEmpty() && o.destructiveChanges.isEmpty()) {
                throw new IllegalArgumentException(
                        "nothing to check: give --source, --describe or --destructive-changes");
            }
            return o;
        }

        String token(Map<String, String> env) throws IOException {
            String token =
                    tokenFile != null ? Files.readString(tokenFile).trim() : blankToNull(env.get("SFCACHE_TOKEN"));
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException(
                        "--sfcache-url needs a token with sfcache's ops role: env SFCACHE_TOKEN or --token-file");
            }
            return token;
        }

        private static Path existing(String value) {
            Path path = Path.of(value);
            if (!Files.exists(path)) {
                throw new IllegalArgumentException(value + " does not exist");
            }
            return path;
        }

        private static String blankToNull(String value) {
            return value == null || value.isBlank() ? null : value;
        }
    }
}
