package io.sfcache.standin;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the Maven project directory of this build, so stand-ins work whatever directory the JVM
 * was started in (Surefire, {@code spring-boot:test-run}, an IDE run configuration).
 */
public final class ProjectDir {

    /** Overrides the search; set it when running from outside the project tree. */
    public static final String PROPERTY = "sfcache.project.dir";

    private ProjectDir() {}

    /**
     * Returns {@code -Dsfcache.project.dir} if set, else the nearest directory holding a
     * {@code pom.xml} at or above Surefire's {@code basedir} or {@code user.dir}.
     */
    public static Path get() {
        String explicit = System.getProperty(PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit).toAbsolutePath().normalize();
        }
        String start = System.getProperty("basedir", System.getProperty("user.dir"));
        for (Path dir = Path.of(start).toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "No pom.xml at or above " + start + ": set -D" + PROPERTY + "=<project directory>");
    }
}
