package dev.embed.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.config.ConfigException;
import dev.embed.store.EmbedSession;
import dev.embed.testing.MutableClock;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.spi.InitialContextFactory;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code embed.store.jdbc.dataSource}: the container's DataSource, found by JNDI (here a minimal
 * naming context of the test's own; the containers' own come with the demo's container tests).
 */
class JndiDataSourceTest {
    static final Map<String, Object> BOUND = new ConcurrentHashMap<>();
    private final MutableClock clock = MutableClock.start();
    private String previous;

    /** A naming context that knows {@link #BOUND}. */
    public static final class Factory implements InitialContextFactory {
        @Override
        public Context getInitialContext(Hashtable<?, ?> environment) {
            return (Context) Proxy.newProxyInstance(
                    Context.class.getClassLoader(), new Class<?>[] {Context.class}, (proxy, method, args) -> {
                        if (method.getName().equals("lookup") && args.length == 1 && args[0] instanceof String name) {
                            Object found = BOUND.get(name);
                            if (found == null) {
                                throw new NameNotFoundException(name + " is not bound");
                            }
                            return found;
                        }
                        if (method.getName().equals("close")) {
                            return null;
                        }
                        throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    @BeforeEach
    void naming() {
        previous = System.getProperty(Context.INITIAL_CONTEXT_FACTORY);
        System.setProperty(Context.INITIAL_CONTEXT_FACTORY, Factory.class.getName());
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:jndi_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        BOUND.put("java:comp/env/jdbc/embed", dataSource);
        BOUND.put("java:comp/env/jdbc/notADataSource", "a string");
    }

    @AfterEach
    void restore() {
        if (previous == null) {
            System.clearProperty(Context.INITIAL_CONTEXT_FACTORY);
        } else {
            System.setProperty(Context.INITIAL_CONTEXT_FACTORY, previous);
        }
        BOUND.clear();
    }

    @Test
    void openWhenTheDataSourceIsBoundThenTheStoreUsesIt() {
        try (JdbcStore store = TestStores.open(
                Map.of(
                        "embed.store.jdbc.dataSource", "java:comp/env/jdbc/embed",
                        "embed.store.jdbc.schema", "upgrade"),
                clock)) {
            EmbedSession session = TestStores.session(clock, Duration.ofHours(1));
            store.sessions().create(session);

            assertEquals(Optional.of(session), store.sessions().find(session.id()));
            assertTrue(store.describe().contains("JNDI java:comp/env/jdbc/embed"), store.describe());
        }
    }

    @Test
    void openWhenTheNameIsUnboundOrNotADataSourceThenStartUpFailsNamingIt() {
        ConfigException unbound = assertThrows(
                ConfigException.class,
                () -> TestStores.open(Map.of("embed.store.jdbc.dataSource", "java:comp/env/jdbc/missing"), clock));
        ConfigException wrong = assertThrows(
                ConfigException.class,
                () -> TestStores.open(
                        Map.of("embed.store.jdbc.dataSource", "java:comp/env/jdbc/notADataSource"), clock));

        assertTrue(
                unbound.getMessage().contains("embed.store.jdbc.dataSource names java:comp/env/jdbc/missing"),
                unbound.getMessage());
        assertTrue(wrong.getMessage().contains("not a DataSource"), wrong.getMessage());
    }
}
