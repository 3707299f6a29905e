package dev.embed.demo;

import dev.embed.apikey.ApiKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The demo's own state on disk (DESIGN §7): the directory {@code EMBED_DATA_DIR} (default {@code
 * ./embed-data}) holds the demo API key and the HS256 signing secret it generated, and the H2
 * database of its default store, so a restarted demo keeps its key, its tokens and its
 * conversations.
 *
 * <p>The directory is created readable by its owner only, and so are the two files; a directory
 * that already existed is left as it is (it may be shared on purpose), with a warning when others
 * may read it. A file is written once, atomically ({@code link(2)} of a finished temporary file),
 * so demos started together in the same directory agree on one key and one secret: that is how
 * several demo processes given the same PostgreSQL database form one cluster. Neither value is
 * ever printed by this class; the demo key is printed by the launcher, as the demo always did.
 */
final class DemoState {
    /** Environment variable naming the directory. */
    static final String DATA_DIR_ENV = "EMBED_DATA_DIR";

    /** System property naming the directory (before the variable): for a container in a test JVM. */
    static final String DATA_DIR_PROPERTY = "embed.demo.dataDir";

    static final String DEFAULT_DATA_DIR = "embed-data";
    static final String API_KEY_FILE = "api-key";
    static final String SECRET_FILE = "signing-secret";
    /** The H2 database's name in the directory: H2 adds {@code .mv.db}. */
    static final String DATABASE_NAME = "embed";

    private static final Set<PosixFilePermission> OWNER_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final System.Logger LOG = System.getLogger("dev.embed.demo");

    private final Path directory;

    private DemoState(Path directory) {
        this.directory = directory;
    }

    /** The directory named by {@code property} or {@code variable} (else {@value #DEFAULT_DATA_DIR}), created if missing. */
    static DemoState open(@Nullable String property, @Nullable String variable) {
        String named = property != null && !property.isBlank()
                ? property.strip()
                : variable != null && !variable.isBlank() ? variable.strip() : DEFAULT_DATA_DIR;
        Path directory = Path.of(named).toAbsolutePath().normalize();
        try {
            if (Files.isDirectory(directory)) {
                warnIfShared(directory);
            } else {
                Files.createDirectories(directory.getParent());
                try {
                    Files.createDirectory(directory, ownerOnly(OWNER_DIRECTORY));
                } catch (FileAlreadyExistsException anotherDemoWasFaster) {
                    // created meanwhile by a demo started at the same moment: use it
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "the demo cannot create its data directory " + directory + " (" + DATA_DIR_ENV + ")", e);
        }
        return new DemoState(directory);
    }

    /** The data directory, absolute. */
    Path directory() {
        return directory;
    }

    /** The demo API key kept in the directory, generated on first use. */
    String apiKey() {
        return readOrCreate(API_KEY_FILE, ApiKeys::generate);
    }

    /** The HS256 signing secret kept in the directory (base64 of 32 random bytes), generated on first use. */
    String signingSecret() {
        return readOrCreate(SECRET_FILE, () -> {
            byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            return Base64.getEncoder().encodeToString(bytes);
        });
    }

    /**
     * The JDBC URL of the demo's H2 file database in the directory. {@code WRITE_DELAY=0}: a
     * commit is in the file before the request that made it is answered, so a demo that is killed
     * keeps everything it acknowledged; {@code DB_CLOSE_ON_EXIT=FALSE}: the store, not H2's own
     * shutdown hook, closes the database, after the server has stopped taking requests.
     */
    String h2Url() {
        return "jdbc:h2:file:" + directory.resolve(DATABASE_NAME) + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    }

    private String readOrCreate(String name, Supplier<String> generate) {
        Path file = directory.resolve(name);
        try {
            String existing = read(file);
            if (existing != null) {
                return existing;
            }
            // Written whole to a temporary file, then linked in: link(2) fails if the name exists, so two demos
            // starting together never replace each other's value, and neither ever reads half a file.
            Path temporary = Files.createTempFile(directory, "." + name + "-", ".tmp", ownerOnly(OWNER_FILE));
            try {
                Files.writeString(temporary, generate.get() + "\n", StandardCharsets.UTF_8);
                try {
                    Files.createLink(file, temporary);
                } catch (FileAlreadyExistsException anotherDemoWasFaster) {
                    // keep theirs
                } catch (UnsupportedOperationException | IOException noHardLinks) {
                    if (!Files.exists(file)) {
                        Files.move(temporary, file);
                    }
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
            String kept = read(file);
            if (kept == null) {
                throw new IOException(file + " is empty");
            }
            return kept;
        } catch (IOException e) {
            throw new UncheckedIOException("the demo cannot keep its " + name + " in " + directory, e);
        }
    }

    private static @Nullable String read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        warnIfShared(file);
        String value = Files.readString(file, StandardCharsets.UTF_8).strip();
        return value.isEmpty() ? null : value;
    }

    private static void warnIfShared(Path path) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
            if (permissions.contains(PosixFilePermission.GROUP_READ)
                    || permissions.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "embed demo: " + path + " may be read by other users of this machine ("
                                + PosixFilePermissions.toString(permissions) + "); it holds the demo's key, secret or"
                                + " conversations: chmod go-rwx it");
            }
        } catch (IOException | UnsupportedOperationException notPosix) {
            // nothing to check on this file system
        }
    }

    private static FileAttribute<?>[] ownerOnly(Set<PosixFilePermission> permissions) {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
                : new FileAttribute<?>[0];
    }

    @Override
    public String toString() {
        return "DemoState[" + directory + "]";
    }
}
