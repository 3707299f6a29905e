package dev.embed.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.Embed;
import dev.embed.internal.TestAccess;
import dev.embed.testing.MutableClock;
import dev.embed.testing.TestKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Configuration sources and their precedence (DESIGN §2: later sources override earlier ones) and
 * the start-up failures that name the key. Never reads the real system properties or environment.
 */
class EmbedConfigTest {
    private static final String SHORT_SECRET =
            Base64.getEncoder().encodeToString("only-sixteen-byt".getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path dir;

    /** The five sources, lowest precedence first. */
    enum Source {
        CONTEXT_PARAM,
        INIT_PARAM,
        PROPERTIES_FILE,
        SYSTEM_PROPERTY,
        ENVIRONMENT
    }

    @ParameterizedTest
    @EnumSource(Source.class)
    void buildWhenKeySetUpToSourceThenHighestSourceWins(Source highest) throws IOException {
        Map<Source, String> values = new LinkedHashMap<>();
        for (Source source : Source.values()) {
            if (source.compareTo(highest) <= 0) {
                values.put(source, "iss-from-" + source);
            }
        }

        EmbedConfig config = configWithIssuer(values);

        assertEquals("iss-from-" + highest, config.get(ConfigKey.ISSUER));
    }

    @ParameterizedTest
    @EnumSource(Source.class)
    void buildWhenKeySetOnlyInOneSourceThenThatValueIsUsed(Source only) throws IOException {
        EmbedConfig config = configWithIssuer(Map.of(only, "iss-from-" + only));

        assertEquals("iss-from-" + only, config.get(ConfigKey.ISSUER));
        assertTrue(config.isSet(ConfigKey.ISSUER));
    }

    @ParameterizedTest
    @EnumSource(Source.class)
    void buildWhenKeySetInEverySourceButOneThenLowerOnesNeverOverrideHigherOnes(Source missing) throws IOException {
        Map<Source, String> values = new LinkedHashMap<>();
        for (Source source : Source.values()) {
            if (source != missing) {
                values.put(source, "iss-from-" + source);
            }
        }
        Source expected = missing == Source.ENVIRONMENT ? Source.SYSTEM_PROPERTY : Source.ENVIRONMENT;

        assertEquals("iss-from-" + expected, configWithIssuer(values).get(ConfigKey.ISSUER));
    }

    @Test
    void originWhenValueComesFromASourceThenNamesIt() throws IOException {
        EmbedConfig config = configWithIssuer(Map.of(Source.SYSTEM_PROPERTY, "x"));

        assertEquals("system property", config.origin(ConfigKey.ISSUER.key()));
        assertEquals("default", config.origin(ConfigKey.AUDIENCE.key()));
    }

    @Test
    void getWhenNothingSetThenDefaultAndNotSet() {
        EmbedConfig config = EmbedConfig.builder().build();

        for (ConfigKey key : ConfigKey.values()) {
            assertEquals(key.defaultValue(), config.get(key), key.key());
            assertFalse(config.isSet(key), key.key());
        }
    }

    static Stream<Arguments> configFileNamedBy() {
        return Stream.of(
                Arguments.of("context-param", Source.CONTEXT_PARAM),
                Arguments.of("init-param", Source.INIT_PARAM),
                Arguments.of("system property", Source.SYSTEM_PROPERTY),
                Arguments.of("environment EMBED_CONFIG_FILE", Source.ENVIRONMENT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configFileNamedBy")
    void buildWhenConfigFileNamedByAnySourceThenItIsRead(String name, Source namedBy) throws IOException {
        Path file = dir.resolve("embed.properties");
        Files.writeString(file, "embed.realm=from-file\n");
        EmbedConfig.Builder builder = EmbedConfig.builder();
        Map<String, String> naming = Map.of(ConfigKey.CONFIG_FILE.key(), file.toString());
        switch (namedBy) {
            case CONTEXT_PARAM -> builder.layer("context-param", naming);
            case INIT_PARAM -> builder.layer("init-param", naming);
            case SYSTEM_PROPERTY -> builder.systemProperties(naming);
            case ENVIRONMENT -> builder.environment(Map.of(ConfigKey.CONFIG_FILE.env(), file.toString()));
            default -> throw new IllegalArgumentException(namedBy.name());
        }

        EmbedConfig config = builder.build();

        assertEquals("from-file", config.get(ConfigKey.REALM));
        assertTrue(
                config.origin(ConfigKey.REALM.key()).contains(file.toString()), config.origin(ConfigKey.REALM.key()));
    }

    @Test
    void buildWhenConfigFileMissingThenConfigExceptionNamingKeyAndPath() {
        Path missing = dir.resolve("nope.properties");

        ConfigException e = assertThrows(
                ConfigException.class,
                () -> EmbedConfig.builder()
                        .systemProperties(Map.of(ConfigKey.CONFIG_FILE.key(), missing.toString()))
                        .build());

        assertTrue(e.getMessage().contains(ConfigKey.CONFIG_FILE.key()), e.getMessage());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    // ---------------------------------------------------------------- environment mapping

    @ParameterizedTest
    @EnumSource(value = ConfigKey.class, mode = EnumSource.Mode.EXCLUDE, names = "CONFIG_FILE")
    void buildWhenEnvironmentVariableSetThenMapsToItsKey(ConfigKey key) {
        EmbedConfig config = EmbedConfig.builder()
                .environment(Map.of(key.env(), "v-" + key.name()))
                .build();

        assertEquals("v-" + key.name(), config.get(key));
        assertEquals("environment variable", config.origin(key.key()));
    }

    @Test
    void buildWhenEmbedSigningSecretInEnvironmentThenItIsEmbedSigningSecret() {
        EmbedConfig config = EmbedConfig.builder()
                .environment(Map.of("EMBED_SIGNING_SECRET", TestKeys.SECRET))
                .build();

        assertEquals(TestKeys.SECRET, config.get(ConfigKey.SIGNING_SECRET));
        assertEquals("embed.signing.secret", ConfigKey.SIGNING_SECRET.key());
    }

    @Test
    void buildWhenApiKeyInEnvironmentThenItIsAnEmbedApiKeyEntry() {
        EmbedConfig config = EmbedConfig.builder()
                .layer("context-param", Map.of("embed.apiKey.globex", TestKeys.globexLine()))
                .environment(Map.of("EMBED_API_KEY_ACME", TestKeys.acmeLine()))
                .build();

        assertEquals(
                Map.of("acme", TestKeys.acmeLine(), "globex", TestKeys.globexLine()),
                config.withPrefix(ConfigKey.API_KEY_PREFIX));
    }

    @Test
    void buildWhenApiKeySetInEnvironmentAndContextParamThenEnvironmentWins() {
        EmbedConfig config = EmbedConfig.builder()
                .layer("context-param", Map.of("embed.apiKey.acme", TestKeys.globexLine()))
                .environment(Map.of("EMBED_API_KEY_ACME", TestKeys.acmeLine()))
                .build();

        assertEquals(
                TestKeys.acmeLine(), config.withPrefix(ConfigKey.API_KEY_PREFIX).get("acme"));
    }

    @Test
    void buildWhenApiKeyStoreInEnvironmentThenItIsTheStoreClassNotAnApiKeyEntry() {
        EmbedConfig config = EmbedConfig.builder()
                .environment(Map.of("EMBED_API_KEY_STORE", "com.acme.JdbcApiKeyStore"))
                .build();

        assertEquals("com.acme.JdbcApiKeyStore", config.get(ConfigKey.API_KEY_STORE));
        assertEquals(Map.of(), config.withPrefix(ConfigKey.API_KEY_PREFIX));
    }

    @Test
    void buildWhenUnrelatedEnvironmentAndPropertiesThenIgnored() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", "/usr/bin");
        env.put("EMBED_NOT_A_KEY", "x");
        env.put("EMBED_API_KEY_", "x");
        EmbedConfig config = EmbedConfig.builder()
                .environment(env)
                .systemProperties(Map.of("java.home", "/jdk", "user.name", "me"))
                .build();

        assertEquals(Map.of(), config.withPrefix(""));
    }

    // ---------------------------------------------------------------- fail fast

    @Test
    void fromConfigWhenNoSigningSecretThenConfigExceptionNamingKeyAndEnvironmentVariable() {
        ConfigException e = assertThrows(ConfigException.class, () -> Embed.fromConfig(EmbedConfig.of(Map.of())));

        assertTrue(e.getMessage().contains("embed.signing.secret"), e.getMessage());
        assertTrue(e.getMessage().contains("EMBED_SIGNING_SECRET"), e.getMessage());
    }

    @Test
    void fromConfigWhenDevModeFalseExplicitlyAndNoSecretThenConfigException() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> Embed.fromConfig(EmbedConfig.of(Map.of(ConfigKey.DEV_MODE.key(), "false"))));

        assertTrue(e.getMessage().contains("embed.signing.secret"), e.getMessage());
    }

    static Stream<Arguments> badSecrets() {
        return Stream.of(
                Arguments.of("16 bytes", ConfigKey.SIGNING_SECRET, SHORT_SECRET),
                Arguments.of(
                        "31 bytes",
                        ConfigKey.SIGNING_SECRET,
                        Base64.getEncoder().encodeToString("z".repeat(31).getBytes(StandardCharsets.US_ASCII))),
                Arguments.of("not base64", ConfigKey.SIGNING_SECRET, "this is not base64 at all!!"),
                Arguments.of("previous secret too short", ConfigKey.SIGNING_PREVIOUS_SECRETS, SHORT_SECRET));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSecrets")
    void fromConfigWhenSecretBadThenConfigExceptionNamingKeyWithoutTheValue(String rule, ConfigKey key, String value) {
        Map<String, String> properties = new HashMap<>();
        properties.put(ConfigKey.SIGNING_SECRET.key(), TestKeys.SECRET);
        properties.put(key.key(), value);

        ConfigException e = assertThrows(ConfigException.class, () -> Embed.fromConfig(EmbedConfig.of(properties)));

        assertTrue(e.getMessage().contains(key.key()), e.getMessage());
        assertTrue(e.getMessage().contains(key.env()), e.getMessage());
        assertFalse(e.getMessage().contains(value), e.getMessage());
        assertFalse(e.getMessage().contains(value.substring(0, 12)), e.getMessage());
    }

    @Test
    void fromConfigWhenSecretIsBase64UrlWithoutPaddingThenAccepted() {
        byte[] bytes = new byte[40];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (0xF0 + i);
        }
        String base64Url = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        assertTrue(base64Url.contains("-") || base64Url.contains("_"), base64Url);

        Embed embed = Embed.builder(EmbedConfig.of(Map.of(ConfigKey.SIGNING_SECRET.key(), base64Url)))
                .clock(MutableClock.start())
                .build();

        assertNotNull(TestAccess.signingKid(embed));
    }

    static Stream<Arguments> badIntegers() {
        return Stream.of(
                Arguments.of(ConfigKey.CLOCK_SKEW_SECONDS, "thirty"),
                Arguments.of(ConfigKey.CLOCK_SKEW_SECONDS, "-1"),
                Arguments.of(ConfigKey.CLOCK_SKEW_SECONDS, "301"),
                Arguments.of(ConfigKey.CLOCK_SKEW_SECONDS, "1.5"),
                Arguments.of(ConfigKey.MAX_BODY_BYTES, "64k"),
                Arguments.of(ConfigKey.MAX_BODY_BYTES, "99999999999"),
                Arguments.of(ConfigKey.SESSIONS_MAXIMUM_SIZE, "0"),
                Arguments.of(ConfigKey.SESSIONS_MAXIMUM_SIZE, "lots"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badIntegers")
    void fromConfigWhenIntegerBadThenConfigExceptionNamingKeyAndValue(ConfigKey key, String value) {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> Embed.fromConfig(
                        EmbedConfig.of(Map.of(ConfigKey.SIGNING_SECRET.key(), TestKeys.SECRET, key.key(), value))));

        assertTrue(e.getMessage().contains(key.key()), e.getMessage());
        assertTrue(e.getMessage().contains("'" + value + "'"), e.getMessage());
        assertFalse(e.getMessage().contains(TestKeys.SECRET), e.getMessage());
    }

    @Test
    void fromConfigWhenDevModeNotABooleanAndNoSecretThenConfigExceptionNamingKeyAndValue() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> Embed.fromConfig(EmbedConfig.of(Map.of(ConfigKey.DEV_MODE.key(), "yes"))));

        assertTrue(e.getMessage().contains(ConfigKey.DEV_MODE.key()), e.getMessage());
        assertTrue(e.getMessage().contains("'yes'"), e.getMessage());
    }

    static Stream<Arguments> badNonSecretValues() {
        return Stream.of(
                Arguments.of(ConfigKey.SIGNING_ALGORITHM, "HS384"),
                Arguments.of(ConfigKey.SIGNING_ALGORITHM, "none"),
                Arguments.of(ConfigKey.PUBLIC_BASE_URL, "ftp://example.com"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badNonSecretValues")
    void fromConfigWhenValueBadThenConfigExceptionNamingKeyAndValue(ConfigKey key, String value) {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> Embed.fromConfig(
                        EmbedConfig.of(Map.of(ConfigKey.SIGNING_SECRET.key(), TestKeys.SECRET, key.key(), value))));

        assertTrue(e.getMessage().contains(key.key()), e.getMessage());
        assertTrue(e.getMessage().contains(value), e.getMessage());
    }

    @Test
    void invalidWhenKeyIsSecretThenValueHidden() {
        EmbedConfig config = EmbedConfig.of(Map.of(ConfigKey.SIGNING_JWKS.key(), "{\"keys\": \"private-stuff\"}"));

        ConfigException e = config.invalid(ConfigKey.SIGNING_JWKS, "must be a JWK Set");

        assertTrue(e.getMessage().contains(ConfigKey.SIGNING_JWKS.key()), e.getMessage());
        assertFalse(e.getMessage().contains("private-stuff"), e.getMessage());
    }

    @Test
    void fromConfigWhenJwksNotJsonThenConfigExceptionWithoutTheValue() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> Embed.fromConfig(EmbedConfig.of(Map.of(
                        ConfigKey.SIGNING_ALGORITHM.key(), "ES256",
                        ConfigKey.SIGNING_JWKS.key(), "{not json: private-material"))));

        assertTrue(e.getMessage().contains(ConfigKey.SIGNING_JWKS.key()), e.getMessage());
        assertFalse(e.getMessage().contains("private-material"), e.getMessage());
    }

    // ---------------------------------------------------------------- dev mode

    @Test
    void fromConfigWhenDevModeWithoutSecretThenStartsAndWarnsOfAnEphemeralSecret() {
        Logger logger = Logger.getLogger("dev.embed.token");
        Capture capture = new Capture();
        logger.addHandler(capture);
        try {
            Embed embed = Embed.builder(EmbedConfig.of(Map.of(ConfigKey.DEV_MODE.key(), "true")))
                    .clock(MutableClock.start())
                    .build();

            assertNotNull(TestAccess.signingKid(embed));
        } finally {
            logger.removeHandler(capture);
        }
        List<LogRecord> warnings = capture.records.stream()
                .filter(r -> Level.WARNING.equals(r.getLevel()))
                .toList();
        assertEquals(
                1,
                warnings.size(),
                () -> "records: "
                        + capture.records.stream().map(LogRecord::getMessage).toList());
        String message = warnings.get(0).getMessage();
        assertTrue(message.contains("ephemeral"), message);
        assertTrue(message.contains(ConfigKey.DEV_MODE.key()), message);
        assertFalse(
                message.matches("(?s).*[A-Za-z0-9+/_-]{40,}.*"), () -> "the warning shows key material: " + message);
        assertTrue(warnings.get(0).getParameters() == null || warnings.get(0).getParameters().length == 0);
    }

    @Test
    void fromConfigWhenDevModeTwiceThenEachStartGetsItsOwnSecret() {
        EmbedConfig config = EmbedConfig.of(Map.of(ConfigKey.DEV_MODE.key(), "true"));

        String first = TestAccess.signingKid(
                Embed.builder(config).clock(MutableClock.start()).build());
        String second = TestAccess.signingKid(
                Embed.builder(config).clock(MutableClock.start()).build());

        assertFalse(first.equals(second), "a generated secret must be random, not a constant");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "TRUE", " true "})
    void getBooleanWhenTrueInAnyCaseThenTrue(String value) {
        assertTrue(EmbedConfig.of(Map.of(ConfigKey.DEV_MODE.key(), value)).getBoolean(ConfigKey.DEV_MODE));
    }

    @Test
    void getListWhenCommasAndSpacesThenSplitsWithoutBlanks() {
        EmbedConfig config = EmbedConfig.of(Map.of(ConfigKey.AGENTS.key(), " demo/support, demo/sales  other/x,,"));

        assertEquals(List.of("demo/support", "demo/sales", "other/x"), config.getList(ConfigKey.AGENTS));
    }

    // ---------------------------------------------------------------- helpers

    /** A configuration whose {@code embed.issuer} is set in the given sources. */
    private EmbedConfig configWithIssuer(Map<Source, String> values) throws IOException {
        String key = ConfigKey.ISSUER.key();
        EmbedConfig.Builder builder = EmbedConfig.builder();
        builder.layer(
                "context-param",
                values.containsKey(Source.CONTEXT_PARAM) ? Map.of(key, values.get(Source.CONTEXT_PARAM)) : Map.of());
        Map<String, String> init = new HashMap<>();
        if (values.containsKey(Source.INIT_PARAM)) {
            init.put(key, values.get(Source.INIT_PARAM));
        }
        if (values.containsKey(Source.PROPERTIES_FILE)) {
            Path file = dir.resolve("embed.properties");
            Files.writeString(file, key + "=" + values.get(Source.PROPERTIES_FILE) + "\n");
            init.put(ConfigKey.CONFIG_FILE.key(), file.toString());
        }
        builder.layer("init-param", init);
        if (values.containsKey(Source.SYSTEM_PROPERTY)) {
            builder.systemProperties(Map.of(key, values.get(Source.SYSTEM_PROPERTY)));
        }
        if (values.containsKey(Source.ENVIRONMENT)) {
            builder.environment(Map.of(ConfigKey.ISSUER.env(), values.get(Source.ENVIRONMENT)));
        }
        return builder.build();
    }

    private static final class Capture extends Handler {
        final List<LogRecord> records = new ArrayList<>();

        @Override
        public synchronized void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    @Test
    void getWhenValueBlankThenDefault() {
        EmbedConfig config = EmbedConfig.builder()
                .environment(Map.of("EMBED_ISSUER", "  ", "EMBED_CLOCK_SKEW_SECONDS", ""))
                .build();
        assertEquals("embed", config.get(ConfigKey.ISSUER));
        assertEquals(30, config.getInt(ConfigKey.CLOCK_SKEW_SECONDS, 0, 300));
    }
}
