package dev.embed.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.embed.config.ConfigException;
import dev.embed.store.EmbedStore;
import dev.embed.store.LinkStore;
import dev.embed.store.MessageStore;
import dev.embed.store.RateLimitStore;
import dev.embed.store.RevocationStore;
import dev.embed.store.SessionStore;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The {@code jdbc} store: everything of DESIGN §8 in PostgreSQL (any number of nodes) or H2 (one).
 *
 * <h2>What a request costs</h2>
 *
 * <ul>
 *   <li><b>Revocation checks</b> (every embed request) read {@link RevocationMemory}: never the
 *       database. It is loaded at start-up and kept true by this node's own revocations at once,
 *       by the other nodes' through the change feed within a second, and by a catch-up read.
 *   <li><b>Sessions</b> are read through a local copy ({@link LocalCache}), so a warm embed GET
 *       finds its session without a round trip. A copy is dropped when the session ends or is
 *       extended on any node (the change feed), and copies are used only while the feed has read
 *       the other nodes' changes less than 750 ms ago: an end on another node is seen within a
 *       second, as the store's contract allows ({@link SessionStore#find}).
 *   <li><b>History</b>: the newest {@value LocalCache#TAIL_SIZE} messages of a session are kept
 *       the same way, so the polling client's repeated {@code after} read (and the first page)
 *       needs no round trip; older pages and cursors outside that tail go to the database. A
 *       message stored on another node is in this node's pages once the feed has read it: at
 *       once with PostgreSQL's {@code NOTIFY}, within {@code pollMillis} without, and never
 *       later than a second (the listeners fire at the same moment).
 *   <li><b>Writes</b> (mints, messages, replies, claims, redemptions, revocations, rate limits)
 *       are one transaction each, and only then acknowledged. Times are kept to the millisecond.
 * </ul>
 *
 * Both caches together are bounded by {@code embed.store.jdbc.cacheMegabytes} (weights are
 * approximate heap bytes); 0 turns them off, and every read then goes to the database.
 *
 * <h2>Across nodes</h2>
 *
 * Each write that other nodes must hear of (a message, an end, an extension, a revocation) adds a
 * row to the {@code change} table in its own transaction, and on PostgreSQL the same statement
 * sends {@code NOTIFY}. The {@link ChangeFeed} of every node reads the rows after the last it saw,
 * woken by the notification on a dedicated {@code LISTEN} connection ({@link PgWakeup}) and every
 * {@code pollMillis} regardless. The writing node applies its own change at once, after the
 * commit, on the writing thread.
 *
 * <h2>Failures</h2>
 *
 * Connection, login, pool and statement waits are all bounded by {@code timeoutSeconds}; any
 * failure to reach the database is a 503 {@link dev.embed.error.EmbedException} with {@code
 * Retry-After} ({@link Db}). Nothing is retried behind the caller's back, and the pool replaces
 * broken connections, so service resumes by itself when the database is back.
 */
final class JdbcStore implements EmbedStore {
    private static final System.Logger LOG = System.getLogger("dev.embed.store.jdbc");
    /** How long start-up waits for a slow first connection (see {@link #firstConnection}). */
    static final Duration START_WAIT = Duration.ofSeconds(60);

    private static final int SWEEP_BATCH = 500;
    private static final int SWEEP_BATCHES = 20;
    private static final long CHANGE_RETENTION_MILLIS = 10 * 60_000L;

    private final Db db;
    private final Tables tables;
    private final Clock clock;
    private final String description;
    private final boolean durable;
    private final LocalCache cache;
    private final RevocationMemory revocationMemory;
    private final Changes changes;
    private final ChangeFeed feed;
    private final JdbcSessions sessions;
    private final JdbcMessages messages;
    private final JdbcRevocations revocations;
    private final JdbcLinks links;
    private final JdbcRateLimits rateLimits;
    private final ScheduledExecutorService sweeper;
    private final AtomicBoolean closed = new AtomicBoolean();

    private JdbcStore(
            JdbcSettings settings, Clock clock, DataSource dataSource, Db db, String version, boolean durable) {
        this.db = db;
        this.tables = new Tables(settings.tablePrefix());
        this.clock = clock;
        this.description = "jdbc (" + db.database().productName() + " " + version + ", tables " + tables.prefix()
                + "*, " + settings.source() + ")";
        this.durable = durable;
        this.revocationMemory = new RevocationMemory();
        // Copies are used only while the feed is fresh; the store serves no call before it is built.
        this.cache = new LocalCache(settings.cacheBytes(), this::copiesUsable);
        this.changes = new Changes(db, tables, newNodeId(), clock, cache, revocationMemory);
        Wakeup wakeup = db.database() == Database.POSTGRESQL
                ? new PgWakeup(
                        listenOpener(settings, dataSource),
                        tables.channel(),
                        settings.timeoutSeconds(),
                        settings.dataSource() != null)
                : Wakeup.sleeping();
        this.feed = new ChangeFeed(db, tables, changes, revocationMemory, cache, clock, settings.pollMillis(), wakeup);
        this.sessions = new JdbcSessions(db, tables, clock, cache, changes);
        this.messages = new JdbcMessages(db, tables, clock, cache, changes, sessions, settings.maxSessionBytes());
        this.revocations = new JdbcRevocations(db, tables, clock, changes, revocationMemory);
        this.links = new JdbcLinks(db, tables, clock);
        this.rateLimits = new JdbcRateLimits(db, tables, clock);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "embed-store-jdbc-sweep");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Connects, checks or upgrades the schema, loads the revocations in force, and starts the
     * change feed and the sweep.
     *
     * @throws ConfigException for a bad setting, a missing driver, a database that cannot be
     *     reached, or a schema version that is missing in {@code validate} mode
     */
    static JdbcStore open(JdbcSettings settings, Clock clock) {
        DataSource dataSource;
        HikariDataSource pool = null;
        Database database;
        String jndiName = settings.dataSource();
        if (jndiName != null) {
            dataSource = lookup(jndiName);
            database = null;
        } else {
            // JdbcSettings.from refuses settings with neither a JNDI name nor a URL.
            String url = Objects.requireNonNull(settings.url(), "embed.store.jdbc.url");
            database = Database.byUrl(url).orElseThrow();
            requireDriver(database);
            pool = pool(settings, database);
            dataSource = pool;
        }
        try {
            String version;
            boolean durable;
            try (Connection connection = firstConnection(dataSource, START_WAIT)) {
                DatabaseMetaData meta = connection.getMetaData();
                Database detected = Database.byProductName(meta.getDatabaseProductName())
                        .orElseThrow(() -> new ConfigException("embed: the jdbc store supports PostgreSQL 13+ and H2"
                                + " 2.x, not " + safeProductName(meta) + " (" + settings.source() + ")"));
                if (database != null && database != detected) {
                    throw new ConfigException("embed: " + settings.source() + " names " + database.productName()
                            + " but the database says it is " + detected.productName());
                }
                database = detected;
                if (meta.getDatabaseMajorVersion() < database.minimumMajorVersion()) {
                    throw new ConfigException("embed: the jdbc store needs " + database.productName() + " "
                            + database.minimumMajorVersion() + " or later; " + settings.source() + " is "
                            + meta.getDatabaseProductVersion());
                }
                version = meta.getDatabaseMajorVersion() + "." + meta.getDatabaseMinorVersion();
                String url = meta.getURL();
                durable = !(database == Database.H2 && url != null && url.startsWith("jdbc:h2:mem:"));
            } catch (SQLException e) {
                throw new ConfigException(
                        "embed: the jdbc store cannot reach its database (" + settings.source() + "): SQLState "
                                + e.getSQLState() + ": " + e.getMessage(),
                        e);
            }
            Db db = new Db(dataSource, pool, database, settings.timeoutSeconds());
            Schema.check(db, new Tables(settings.tablePrefix()), settings.upgrade(), settings.source());
            JdbcStore store = new JdbcStore(settings, clock, dataSource, db, version, durable);
            store.start(settings);
            return store;
        } catch (RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            throw e;
        }
    }

    /**
     * The first connection at start-up. While the pool is only slow (an H2 file opening on a busy
     * host, a pool still filling: a timeout with no connection failure behind it) it waits up to
     * {@code startWait}, as start-up holds no request; a refused connection or login fails at once.
     */
    static Connection firstConnection(DataSource dataSource, Duration startWait) throws SQLException {
        long deadline = System.nanoTime() + startWait.toNanos();
        while (true) {
            try {
                return dataSource.getConnection();
            } catch (SQLTransientConnectionException e) {
                if (e.getCause() != null || System.nanoTime() - deadline >= 0) {
                    throw e;
                }
            }
        }
    }

    private boolean copiesUsable() {
        return feed.fresh();
    }

    private void start(JdbcSettings settings) {
        try {
            feed.load();
        } catch (RuntimeException e) {
            close();
            throw new ConfigException(
                    "embed: the jdbc store could not load its revocations (" + settings.source()
                            + "); see the log for the database's error",
                    e);
        }
        feed.start();
        var unused = sweeper.scheduleWithFixedDelay(
                this::sweepQuietly, settings.sweepSeconds(), settings.sweepSeconds(), TimeUnit.SECONDS);
        String changes = db.database() == Database.H2
                ? "one node"
                : feed.listening()
                        ? "other nodes' changes by LISTEN/NOTIFY, polled every " + settings.pollMillis()
                                + " ms behind it"
                        : "no LISTEN connection yet: other nodes' changes polled every " + settings.pollMillis()
                                + " ms";
        LOG.log(System.Logger.Level.INFO, "embed: store " + description + "; " + changes);
    }

    @Override
    public SessionStore sessions() {
        return sessions;
    }

    @Override
    public MessageStore messages() {
        return messages;
    }

    @Override
    public RevocationStore revocations() {
        return revocations;
    }

    @Override
    public LinkStore links() {
        return links;
    }

    @Override
    public RateLimitStore rateLimits() {
        return rateLimits;
    }

    @Override
    public void addListener(Listener listener) {
        changes.addListener(listener);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public boolean durable() {
        return durable;
    }

    /**
     * Deletes expired rows, at most {@value #SWEEP_BATCHES} batches of {@value #SWEEP_BATCH} per
     * table and run (the next run goes on), and forgets expired revocations.
     *
     * @return the rows deleted
     */
    long sweep() {
        long now = clock.millis();
        long deleted = 0;
        deleted += sweep(tables.session(), "expires_at", now);
        deleted += sweep(tables.link(), "expires_at", now);
        deleted += sweep(tables.revocation(), "until_at", now);
        deleted += sweep(tables.rateLimit(), "full_at", now);
        deleted += sweep(tables.change(), "created_at", now - CHANGE_RETENTION_MILLIS);
        revocationMemory.purge(now);
        return deleted;
    }

    private long sweep(String table, String column, long cutoff) {
        String sql = db.database().sweep(table, column, SWEEP_BATCH);
        long total = 0;
        for (int batch = 0; batch < SWEEP_BATCHES; batch++) {
            int deleted = db.transaction("delete expired rows", connection -> {
                try (PreparedStatement statement = db.prepare(connection, sql)) {
                    statement.setLong(1, cutoff);
                    return statement.executeUpdate();
                }
            });
            total += deleted;
            if (deleted < SWEEP_BATCH) {
                break;
            }
        }
        return total;
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "embed: the jdbc store's sweep failed; it runs again later", e);
        }
    }

    /** The change feed (tests). */
    ChangeFeed feed() {
        return feed;
    }

    /** The local caches (tests). */
    LocalCache cache() {
        return cache;
    }

    Db db() {
        return db;
    }

    Tables tables() {
        return tables;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            // A sweep in progress finishes its statement: interrupting JDBC can break an H2 file.
            sweeper.shutdown();
            feed.close();
            try {
                if (!sweeper.awaitTermination(db.timeoutSeconds() * 2L + 1, TimeUnit.SECONDS)) {
                    sweeper.shutdownNow();
                }
            } catch (InterruptedException e) {
                sweeper.shutdownNow();
                Thread.currentThread().interrupt();
            }
            db.close();
        }
    }

    // BanJNDI: a JNDI lookup can deserialize what the directory returns. This one is the feature
    // embed.store.jdbc.dataSource (the container's pool): the name comes from the operator's
    // configuration at start-up, never from a request, and is looked up once.
    @SuppressWarnings("BanJNDI")
    private static DataSource lookup(String name) {
        Object found;
        try {
            found = new InitialContext().lookup(name);
        } catch (NamingException e) {
            throw new ConfigException(
                    "embed: configuration key embed.store.jdbc.dataSource names " + name
                            + ", but JNDI has no DataSource there: " + e.getMessage(),
                    e);
        }
        if (!(found instanceof DataSource dataSource)) {
            throw new ConfigException(
                    "embed: configuration key embed.store.jdbc.dataSource names " + name + ", which is a "
                            + (found == null ? "null" : found.getClass().getName()) + ", not a DataSource");
        }
        return dataSource;
    }

    private static void requireDriver(Database database) {
        if (driverClass(database) == null) {
            throw new ConfigException("embed: embed.store.jdbc.url is a " + database.productName()
                    + " URL, but its JDBC driver (" + database.driverClassName() + ") is not on the class path: add "
                    + (database == Database.POSTGRESQL ? "org.postgresql:postgresql" : "com.h2database:h2")
                    + " to the application");
        }
    }

    private static @Nullable Class<?> driverClass(Database database) {
        for (ClassLoader loader :
                new ClassLoader[] {Thread.currentThread().getContextClassLoader(), JdbcStore.class.getClassLoader()}) {
            if (loader != null) {
                try {
                    return Class.forName(database.driverClassName(), true, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    // try the next loader
                }
            }
        }
        return null;
    }

    private static HikariDataSource pool(JdbcSettings settings, Database database) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("embed-store");
        config.setJdbcUrl(settings.url());
        Class<?> driver = driverClass(database);
        if (driver != null) {
            config.setDriverClassName(driver.getName());
        }
        if (settings.user() != null) {
            config.setUsername(settings.user());
        }
        if (settings.password() != null) {
            config.setPassword(settings.password());
        }
        long timeoutMillis = settings.timeoutSeconds() * 1000L;
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(Math.min(2, settings.poolSize()));
        config.setConnectionTimeout(Math.max(250, timeoutMillis));
        config.setValidationTimeout(Math.max(250, timeoutMillis / 2));
        // open() checks the database itself, with a message that says what to do.
        config.setInitializationFailTimeout(-1);
        if (database == Database.POSTGRESQL) {
            driverProperties(settings).forEach((k, v) -> config.addDataSourceProperty((String) k, v));
        } else {
            config.setConnectionInitSql("SET LOCK_TIMEOUT " + timeoutMillis);
        }
        return new HikariDataSource(config);
    }

    /** pgjdbc's timeouts: a server that stops answering fails the statement instead of hanging. */
    private static Properties driverProperties(JdbcSettings settings) {
        Properties properties = new Properties();
        String timeout = Integer.toString(settings.timeoutSeconds());
        properties.setProperty("connectTimeout", timeout);
        properties.setProperty("loginTimeout", timeout);
        properties.setProperty("socketTimeout", Integer.toString(settings.timeoutSeconds() * 2 + 5));
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", "embed-store");
        return properties;
    }

    /** How the LISTEN connection is opened: outside the pool with a URL, borrowed with JNDI. */
    private static PgWakeup.Opener listenOpener(JdbcSettings settings, DataSource dataSource) {
        if (settings.dataSource() != null) {
            return dataSource::getConnection;
        }
        return () -> {
            Class<?> driverClass = driverClass(Database.POSTGRESQL);
            if (driverClass == null) {
                throw new SQLException("no PostgreSQL driver");
            }
            Driver driver;
            try {
                driver = (Driver) driverClass.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new SQLException("cannot create the PostgreSQL driver", e);
            }
            Properties properties = driverProperties(settings);
            if (settings.user() != null) {
                properties.setProperty("user", settings.user());
            }
            if (settings.password() != null) {
                properties.setProperty("password", settings.password());
            }
            Connection connection = driver.connect(settings.url(), properties);
            if (connection == null) {
                throw new SQLException("the PostgreSQL driver does not accept the URL");
            }
            return connection;
        };
    }

    private static String safeProductName(DatabaseMetaData meta) {
        try {
            return meta.getDatabaseProductName();
        } catch (SQLException e) {
            return "an unknown database";
        }
    }

    private static String newNodeId() {
        byte[] bytes = new byte[8];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
