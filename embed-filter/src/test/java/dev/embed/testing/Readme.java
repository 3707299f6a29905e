package dev.embed.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the project README, so tests prove what it tells users. */
public final class Readme {
    private Readme() {}

    public static Path path() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("README.md"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(
                    "README.md not found above " + Path.of("").toAbsolutePath());
        }
        return dir.resolve("README.md");
    }

    public static String text() throws IOException {
        return Files.readString(path());
    }

    /** The {@code web.xml} fragment between the README's {@code embed:web.xml} markers. */
    public static String webXmlFragment() throws IOException {
        return between(text(), "<!-- embed:web.xml:start -->", "<!-- embed:web.xml:end -->");
    }

    public static String between(String text, String startMarker, String endMarker) {
        int start = text.indexOf(startMarker);
        int end = text.indexOf(endMarker);
        if (start < 0 || end < start) {
            throw new IllegalStateException("README.md lacks the markers " + startMarker + " ... " + endMarker);
        }
        return text.substring(start + startMarker.length(), end);
    }
}
