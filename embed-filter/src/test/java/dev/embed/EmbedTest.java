package dev.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.chat.AgentContext;
import dev.embed.chat.ChatMessage;
import dev.embed.chat.EmbedAgent;
import dev.embed.config.ConfigException;
import dev.embed.config.EmbedConfig;
import dev.embed.internal.TestStores;
import dev.embed.store.EmbedStore;
import dev.embed.store.LinkStore;
import dev.embed.store.MessageStore;
import dev.embed.store.RateLimitStore;
import dev.embed.store.RevocationStore;
import dev.embed.store.SessionStore;
import dev.embed.testing.MutableClock;
import dev.embed.testing.TestKeys;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** How {@link Embed} creates the host's classes named in configuration, and what it closes. */
class EmbedTest {
    private static final Map<String, String> BASE = Map.of("embed.signing.secret", TestKeys.SECRET);

    private static EmbedConfig config(String key, String value) {
        java.util.Map<String, String> config = new java.util.HashMap<>(BASE);
        config.put(key, value);
        return EmbedConfig.of(config);
    }

    @Test
    void closeWhenTheHostGaveTheSchedulerThenItRunsOnAndTheLibraryTimedItsWorkOnIt() {
        dev.embed.testing.MutableClock clock = dev.embed.testing.MutableClock.start();
        dev.embed.testing.ManualScheduler host = new dev.embed.testing.ManualScheduler(clock);

        Embed embed =
                Embed.builder(EmbedConfig.of(BASE)).clock(clock).scheduler(host).build();
        int timers = host.pending();
        embed.close();

        assertTrue(timers > 0, "the library's timers (the agent turns' sweep) are on the host's scheduler");
        assertFalse(host.isShutdown(), "the host's scheduler is the host's to stop");
    }

    @Test
    void agentWhenItsConstructorThrowsAConfigExceptionThenThatExceptionAsIs() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> Embed.fromConfig(config("embed.agent", MisconfiguredAgent.class.getName())));

        assertSame(MisconfiguredAgent.FAILURE, e);
    }

    @Test
    void agentWhenItsConstructorFailsOtherwiseThenTheMessageSaysSoNotThatAConstructorIsMissing() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> Embed.fromConfig(config("embed.agent", BrokenAgent.class.getName())));

        assertTrue(e.getMessage().contains("failed in its constructor"), e.getMessage());
        assertTrue(e.getMessage().contains(IllegalStateException.class.getName()), e.getMessage());
        assertFalse(e.getMessage().contains("needs a public"), e.getMessage());
        assertFalse(e.getMessage().contains("InvocationTargetException"), e.getMessage());
    }

    @Test
    void agentWhenTheClassDoesNotExistThenNotFoundFirst() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> Embed.fromConfig(config("embed.agent", "com.acme.NoSuchAgent")));

        assertTrue(e.getMessage().contains("com.acme.NoSuchAgent"), e.getMessage());
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
        assertFalse(e.getMessage().contains("needs a public"), e.getMessage());
    }

    @Test
    void agentWhenTheClassFailsToInitializeThenCannotBeLoadedAndWhyNotNotFound() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> Embed.fromConfig(config("embed.agent", AgentFailingInitialization.class.getName())));

        assertTrue(e.getMessage().contains("cannot be loaded"), e.getMessage());
        assertTrue(e.getMessage().contains(IllegalStateException.class.getName() + ": static boom"), e.getMessage());
        assertFalse(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void agentWhenNoUsableConstructorThenSaysWhatItNeeds() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> Embed.fromConfig(config("embed.agent", AgentWithoutConstructor.class.getName())));

        assertTrue(e.getMessage().contains("needs a public no-arg or (EmbedConfig) constructor"), e.getMessage());
    }

    @Test
    void storeWhenNamedButNotOnTheClassPathThenConfigExceptionNamingWhatIsThere() {
        ConfigException e = assertThrows(ConfigException.class, () -> Embed.fromConfig(config("embed.store", "redis")));

        assertTrue(e.getMessage().contains("embed.store"), e.getMessage());
        assertTrue(e.getMessage().contains("memory"), e.getMessage());
    }

    @Test
    void closeWhenAgentAndStoreAreAutoCloseableThenBothClosedOnce() {
        ClosingAgent agent = new ClosingAgent();
        CountingStore store = new CountingStore(TestStores.memory(MutableClock.start()));

        Embed embed =
                Embed.builder(EmbedConfig.of(BASE)).agent(agent).store(store).build();
        assertSame(store, embed.store());
        embed.close();
        embed.close();

        assertEquals(1, agent.closed.get(), "closed once, however often Embed.close() is called");
        assertEquals(1, store.closed.get(), "closed once, however often Embed.close() is called");
    }

    @Test
    void startWhenItFailsAfterTheAgentWasCreatedFromConfigurationThenThatAgentIsClosed() {
        int before = ConfiguredClosingAgent.CLOSED.get();
        java.util.Map<String, String> settings = new java.util.HashMap<>(BASE);
        settings.put("embed.agent", ConfiguredClosingAgent.class.getName());
        settings.put("embed.store", "redis");

        assertThrows(ConfigException.class, () -> Embed.fromConfig(EmbedConfig.of(settings)));

        assertEquals(before + 1, ConfiguredClosingAgent.CLOSED.get());
    }

    @Test
    void startWhenMemoryStoreThenItIsTheDefault() {
        try (Embed embed = Embed.fromConfig(EmbedConfig.of(BASE))) {
            assertFalse(embed.store().durable());
            assertTrue(
                    embed.store().describe().startsWith("memory"), embed.store().describe());
        }
    }

    /** An agent whose constructor refuses its configuration, naming the key, as a host's agent would. */
    public static final class MisconfiguredAgent implements EmbedAgent {
        @SuppressWarnings("StaticAssignmentOfThrowable") // the test checks that this very instance comes out
        static final ConfigException FAILURE = new ConfigException("embed: acme.model must be set");

        public MisconfiguredAgent(EmbedConfig config) {
            throw FAILURE;
        }

        @Override
        public CompletionStage<String> reply(AgentContext context, List<ChatMessage> conversation) {
            return CompletableFuture.completedFuture("never");
        }
    }

    /** An agent whose constructor fails with a bug. */
    public static final class BrokenAgent implements EmbedAgent {
        public BrokenAgent() {
            throw new IllegalStateException("boom");
        }

        @Override
        public CompletionStage<String> reply(AgentContext context, List<ChatMessage> conversation) {
            return CompletableFuture.completedFuture("never");
        }
    }

    /** An agent whose class initializer fails. */
    public static final class AgentFailingInitialization implements EmbedAgent {
        static final String NAME = fail();

        private static String fail() {
            throw new IllegalStateException("static boom");
        }

        @Override
        public CompletionStage<String> reply(AgentContext context, List<ChatMessage> conversation) {
            return CompletableFuture.completedFuture(NAME);
        }
    }

    /** An agent with no public constructor the library can call. */
    public static final class AgentWithoutConstructor implements EmbedAgent {
        public AgentWithoutConstructor(String name) {}

        @Override
        public CompletionStage<String> reply(AgentContext context, List<ChatMessage> conversation) {
            return CompletableFuture.completedFuture("never");
        }
    }

    /** An agent holding resources. */
    static final class ClosingAgent implements EmbedAgent, AutoCloseable {
        final AtomicInteger closed = new AtomicInteger();

        @Override
        public CompletionStage<String> reply(AgentContext context, List<ChatMessage> conversation) {
            return CompletableFuture.completedFuture("ok");
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }

    /** An agent named by configuration that holds resources; counts its closes across instances. */
    public static final class ConfiguredClosingAgent implements EmbedAgent, AutoCloseable {
        static final AtomicInteger CLOSED = new AtomicInteger();

        @Override
        public CompletionStage<String> reply(AgentContext context, List<ChatMessage> conversation) {
            return CompletableFuture.completedFuture("ok");
        }

        @Override
        public void close() {
            CLOSED.incrementAndGet();
        }
    }

    /** A store that counts how often it is closed. */
    static final class CountingStore implements EmbedStore {
        final EmbedStore delegate;
        final AtomicInteger closed = new AtomicInteger();

        CountingStore(EmbedStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public SessionStore sessions() {
            return delegate.sessions();
        }

        @Override
        public MessageStore messages() {
            return delegate.messages();
        }

        @Override
        public RevocationStore revocations() {
            return delegate.revocations();
        }

        @Override
        public LinkStore links() {
            return delegate.links();
        }

        @Override
        public RateLimitStore rateLimits() {
            return delegate.rateLimits();
        }

        @Override
        public void addListener(Listener listener) {
            delegate.addListener(listener);
        }

        @Override
        public String describe() {
            return "counting " + delegate.describe();
        }

        @Override
        public boolean durable() {
            return false;
        }

        @Override
        public void close() {
            closed.incrementAndGet();
            delegate.close();
        }
    }
}
