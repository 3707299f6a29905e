package dev.embed.langchain4j;

import static dev.embed.langchain4j.Fixtures.API_KEY;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.Embed;
import dev.embed.chat.AgentContext;
import dev.embed.config.ConfigException;
import dev.embed.config.EmbedConfig;
import dev.embed.testing.Secrets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Start-up checks: each bad value fails with a message naming the key (and never the key's secret value). */
class LangChain4jAgentConfigTest {

    private static Map<String, String> valid(String provider) {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("embed.langchain4j.provider", provider);
        map.put("embed.langchain4j.apiKey", API_KEY);
        map.put("embed.langchain4j.model", "test-model-1");
        return map;
    }

    private static ConfigException refused(Map<String, String> map) {
        return assertThrows(ConfigException.class, () -> new LangChain4jAgent(EmbedConfig.of(map)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai", "anthropic", "ollama", " OpenAI "})
    void constructorWhenConfigurationIsCompleteThenStarts(String provider) {
        new LangChain4jAgent(EmbedConfig.of(valid(provider)));
    }

    @Test
    void constructorWhenProviderIsMissingThenNamesKeyAndChoices() {
        Map<String, String> map = valid("openai");
        map.remove("embed.langchain4j.provider");

        ConfigException e = refused(map);

        assertTrue(e.getMessage().contains("embed.langchain4j.provider"), e::getMessage);
        assertTrue(e.getMessage().contains("EMBED_LANGCHAIN4J_PROVIDER"), e::getMessage);
        assertTrue(e.getMessage().contains("openai, anthropic or ollama"), e::getMessage);
    }

    @Test
    void constructorWhenProviderIsUnknownThenNamesKeyAndBadValue() {
        ConfigException e = refused(valid("gemini"));

        assertTrue(e.getMessage().contains("embed.langchain4j.provider"), e::getMessage);
        assertTrue(e.getMessage().contains("'gemini'"), e::getMessage);
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai", "anthropic"})
    void constructorWhenApiKeyIsMissingForAHostedProviderThenNamesKey(String provider) {
        Map<String, String> map = valid(provider);
        map.remove("embed.langchain4j.apiKey");

        ConfigException e = refused(map);

        assertTrue(e.getMessage().contains("embed.langchain4j.apiKey"), e::getMessage);
        assertTrue(e.getMessage().contains("EMBED_LANGCHAIN4J_API_KEY"), e::getMessage);
    }

    @Test
    void constructorWhenApiKeyIsMissingForOllamaThenStarts() {
        Map<String, String> map = valid("ollama");
        map.remove("embed.langchain4j.apiKey");

        new LangChain4jAgent(EmbedConfig.of(map));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sk-embed-test-with space-1234567", "sk-embed-test-newline\r\nX-Injected: 1"})
    void constructorWhenApiKeyCannotBeAHeaderValueThenNamesKeyButNotTheValue(String badKey) {
        Secrets.add(badKey);
        Map<String, String> map = valid("openai");
        map.put("embed.langchain4j.apiKey", badKey);

        ConfigException e = refused(map);

        assertTrue(e.getMessage().contains("embed.langchain4j.apiKey"), e::getMessage);
        assertTrue(e.getMessage().contains("value hidden"), e::getMessage);
        assertEquals(List.of(), Secrets.find(e.getMessage()));
        assertFalse(e.getMessage().contains("sk-embed-test"), e::getMessage);
    }

    @Test
    void constructorWhenModelIsMissingThenNamesKey() {
        Map<String, String> map = valid("anthropic");
        map.remove("embed.langchain4j.model");

        ConfigException e = refused(map);

        assertTrue(e.getMessage().contains("embed.langchain4j.model"), e::getMessage);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "ftp://models.example.com/v1|must be an absolute http or https URL",
                "localhost:11434|must be an absolute http or https URL",
                "/v1|must be an absolute http or https URL",
                "http://exa mple.com|must be an absolute http or https URL",
                "https://api.example.com/v1?key=1|must not have a query or a fragment"
            })
    void constructorWhenBaseUrlIsNotAnHttpUrlThenNamesKeyAndValue(String baseUrl, String rule) {
        Map<String, String> map = valid("openai");
        map.put("embed.langchain4j.baseUrl", baseUrl);

        ConfigException e = refused(map);

        assertTrue(e.getMessage().contains("embed.langchain4j.baseUrl"), e::getMessage);
        assertTrue(e.getMessage().contains(rule), e::getMessage);
        assertTrue(e.getMessage().contains("'" + baseUrl + "'"), e::getMessage);
    }

    @Test
    void constructorWhenBaseUrlCarriesCredentialsThenRefusesWithoutPrintingThem() {
        Map<String, String> map = valid("openai");
        map.put("embed.langchain4j.baseUrl", "https://user:hunter2secret@llm.example.com/v1");

        ConfigException e = refused(map);

        assertTrue(e.getMessage().contains("embed.langchain4j.baseUrl"), e::getMessage);
        assertFalse(e.getMessage().contains("hunter2secret"), e::getMessage);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "601", "soon"})
    void constructorWhenTimeoutIsOutOfRangeThenNamesKeyAndValue(String timeout) {
        Map<String, String> map = valid("openai");
        map.put("embed.langchain4j.timeoutSeconds", timeout);

        ConfigException e = refused(map);

        assertTrue(e.getMessage().contains("embed.langchain4j.timeoutSeconds"), e::getMessage);
        assertTrue(e.getMessage().contains("'" + timeout + "'"), e::getMessage);
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo/support/extra", "demo/", "/support", "de mo"})
    void constructorWhenAPerAgentPromptKeyIsMalformedThenNamesIt(String target) {
        Map<String, String> map = valid("openai");
        map.put("embed.langchain4j.systemPrompt." + target, "You sell.");

        ConfigException e = refused(map);

        assertTrue(e.getMessage().contains("embed.langchain4j.systemPrompt." + target), e::getMessage);
    }

    @Test
    void constructorWhenConfiguredByEnvironmentVariablesThenReadsThem() {
        EmbedConfig config = EmbedConfig.builder()
                .environment(Map.of(
                        "EMBED_LANGCHAIN4J_PROVIDER", "anthropic",
                        "EMBED_LANGCHAIN4J_BASE_URL", "http://127.0.0.1:1/v1",
                        "EMBED_LANGCHAIN4J_API_KEY", API_KEY,
                        "EMBED_LANGCHAIN4J_MODEL", "test-model-1",
                        "EMBED_LANGCHAIN4J_SYSTEM_PROMPT", "From the environment.",
                        "EMBED_LANGCHAIN4J_TIMEOUT_SECONDS", "5"))
                .build();

        LangChain4jAgent agent = new LangChain4jAgent(config);

        assertEquals("From the environment.", agent.systemPrompt(Fixtures.context()));
    }

    @Test
    void systemPromptWhenPerAgentAndPerSpaceAreSetThenTheMostSpecificApplies() {
        Map<String, String> map = valid("openai");
        map.put("embed.langchain4j.systemPrompt", "Default.");
        map.put("embed.langchain4j.systemPrompt.demo", "Demo space.");
        map.put("embed.langchain4j.systemPrompt.demo/sales", "Demo sales.");
        map.put("embed.langchain4j.systemPrompt.other/support", " ");
        LangChain4jAgent agent = new LangChain4jAgent(EmbedConfig.of(map));

        assertEquals("Demo sales.", agent.systemPrompt(context("demo", "sales")));
        assertEquals("Demo space.", agent.systemPrompt(context("demo", "support")));
        assertEquals("Default.", agent.systemPrompt(context("other", "support")), "a blank value is unset");
        assertEquals("Default.", agent.systemPrompt(context(null, null)), "flow D has no space");
    }

    @Test
    void embedWhenAgentIsNamedInConfigurationThenCreatesItWithTheConfigConstructor() {
        Map<String, String> map = valid("openai");
        map.put("embed.devMode", "true");
        map.put("embed.agent", LangChain4jAgent.class.getName());

        // The core refuses a class it cannot construct (no public (EmbedConfig) or no-arg constructor).
        assertDoesNotThrow(() -> Embed.fromConfig(EmbedConfig.of(map)).close());
    }

    @Test
    void embedWhenTheAgentsConfigurationIsBadThenStartUpFailsWithTheKeyInTheCauseChain() {
        Map<String, String> map = valid("gemini");
        map.put("embed.devMode", "true");
        map.put("embed.agent", LangChain4jAgent.class.getName());

        ConfigException e = assertThrows(
                ConfigException.class,
                () -> Embed.fromConfig(EmbedConfig.of(map)).close());

        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        // The core wraps the constructor's exception (see the report): the key is in the root cause.
        assertInstanceOf(ConfigException.class, root);
        assertTrue(root.getMessage().contains("embed.langchain4j.provider"), root::getMessage);
    }

    private static AgentContext context(String space, String agent) {
        return new AgentContext("s", "t", space, agent, "chat", "u", null, List.of(), List.of(), List.of(), null);
    }
}
