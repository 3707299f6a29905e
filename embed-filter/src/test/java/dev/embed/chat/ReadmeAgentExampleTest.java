package dev.embed.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.testing.Readme;
import java.io.StringWriter;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, the first hour: the README's agent example (between its {@code embed:agent-example}
 * markers) is a whole compilation unit that compiles against the library as it is, with all of
 * javac's lint warnings as errors, and its class is an {@link EmbedAgent} with the public no-arg
 * constructor {@code embed.agent} needs.
 */
class ReadmeAgentExampleTest {
    @Test
    void readmeAgentExampleWhenCompiledAgainstTheLibraryThenCompilesCleanAndIsAnAgent(@TempDir Path out)
            throws Exception {
        String block =
                Readme.between(Readme.text(), "<!-- embed:agent-example:start -->", "<!-- embed:agent-example:end -->");
        String source = block.lines()
                .dropWhile(line -> !line.startsWith("```java"))
                .skip(1)
                .takeWhile(line -> !line.startsWith("```"))
                .collect(Collectors.joining("\n", "", "\n"));
        Matcher type = Pattern.compile("(?m)^public final class (\\w+)").matcher(source);
        assertTrue(type.find(), "the example declares no public class");
        Matcher pkg = Pattern.compile("(?m)^package ([\\w.]+);").matcher(source);
        assertTrue(pkg.find(), "the example has no package line");
        String className = pkg.group(1) + "." + type.group(1);

        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter output = new StringWriter();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null, null)) {
            JavaFileObject unit =
                    new SimpleJavaFileObject(
                            URI.create("string:///" + className.replace('.', '/') + ".java"),
                            JavaFileObject.Kind.SOURCE) {
                        @Override
                        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                            return source;
                        }
                    };
            List<String> options = List.of(
                    "-Xlint:all",
                    "-Werror",
                    "-proc:none",
                    "--release",
                    "17",
                    "-classpath",
                    System.getProperty("java.class.path"),
                    "-d",
                    out.toString());
            boolean compiled = compiler.getTask(output, files, diagnostics, options, null, List.of(unit))
                    .call();
            assertTrue(
                    compiled,
                    () -> "the README's agent example does not compile:\n" + diagnostics.getDiagnostics() + "\n"
                            + output);
        }
        assertEquals(List.of(), diagnostics.getDiagnostics(), "javac had something to say about the example");
        assertTrue(Files.isRegularFile(out.resolve(className.replace('.', '/') + ".class")));

        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader())) {
            Class<?> agent = Class.forName(className, true, loader);
            assertTrue(EmbedAgent.class.isAssignableFrom(agent), className + " is not an EmbedAgent");
            assertTrue(agent.getConstructor().newInstance() instanceof EmbedAgent);
        }
    }
}
