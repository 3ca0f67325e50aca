package io.sfcache.routes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.springframework.core.NestedExceptionUtils;

/**
 * Camel's live route reload with a safety net: an edited file is checked first ({@link RouteFileCheck}) and, when
 * refused, nothing running is touched; when it passes the check but still fails to apply (what only starting a route
 * shows), the file's previous version is applied again. Either way {@link RouteFiles} records the refusal with the
 * reason until a good version replaces it.
 * Only routes with the ids of the edited file are replaced, so the other flows never stop.
 */
public class SafeRouteReloadStrategy extends RouteWatcherReloadStrategy {

    private final RouteFileCheck check;
    private final RouteFiles files;

    public SafeRouteReloadStrategy(String directory, String pattern, RouteFileCheck check, RouteFiles files) {
        super(directory);
        setPattern(pattern);
        setRemoveAllRoutes(false);
        this.check = check;
        this.files = files;
    }

    /**
     * Applies each edited file on its own instead of Camel's batch update: the batch remembers a failed file and
     * re-applies it with every later edit, so one bad file would keep failing the good ones.
     */
    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
        if (resources == null || resources.isEmpty()) {
            super.onRouteReload(resources, removeEverything); // a properties reload: Camel re-applies every route
            return;
        }
        resources.forEach(this::reload);
    }

    private void reload(Resource resource) {
        String fileName = fileName(resource);
        String text = read(resource);
        if (text == null) {
            return; // deleted: its routes keep running until the next start
        }
        List<RouteFileCheck.Problem> problems = check.check(fileName, text);
        if (!problems.isEmpty()) {
            files.rejected(fileName, problems);
            return;
        }
        try {
            PluginHelper.getRoutesLoader(getCamelContext()).updateRoutes(List.of(resource));
            files.applied(fileName, text);
        } catch (Exception e) {
            files.rejected(
                    fileName,
                    List.of(new RouteFileCheck.Problem(
                            null,
                            "could not be started: "
                                    + NestedExceptionUtils.getMostSpecificCause(e)
                                            .getMessage())));
            restore(resource, fileName);
        }
    }

    /** Applies the file's last good version again, so the flows it defines keep running as before the edit. */
    private void restore(Resource resource, String fileName) {
        String previous = files.lastGood(fileName);
        if (previous == null) {
            return; // a new file: nothing of it ran before
        }
        try {
            PluginHelper.getRoutesLoader(getCamelContext())
                    .updateRoutes(List.of(ResourceHelper.fromString(resource.getLocation(), previous)));
        } catch (Exception e) {
            files.rejected(
                    fileName,
                    List.of(new RouteFileCheck.Problem(
                            null,
                            "could not be started, and its previous "
                                    + "version could not be restored either: "
                                    + NestedExceptionUtils.getMostSpecificCause(e)
                                            .getMessage())));
        }
    }

    private static String read(Resource resource) {
        if (!resource.exists()) {
            return null;
        }
        try (InputStream in = resource.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    static String fileName(Resource resource) {
        String location = resource.getLocation();
        return location.substring(location.lastIndexOf('/') + 1);
    }
}
