package dev.embed.langchain4j;

import dev.embed.chat.AgentContext;
import dev.embed.chat.ChatMessage;
import dev.embed.chat.StreamingAgent;
import dev.embed.config.ConfigException;
import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An agent that answers through a LangChain4j {@link StreamingChatModel} (DESIGN §9): an OpenAI
 * or OpenAI-compatible server (Azure OpenAI, vLLM, LiteLLM, LM Studio…), Anthropic, or Ollama.
 * Each reply streams to the page as the model writes it.
 *
 * <p>The model receives one system message, then the session's history (user and assistant
 * messages, oldest first, ending with the message to answer). The system message is the system
 * prompt of the session's space and agent, the message's {@code mode}, and, for flow D, the
 * link's {@code knowledge_base_entries} (with their titles) and {@code reference_queries},
 * escaped and delimited as untrusted reference data.
 *
 * <p>Configured by {@code embed.agent=dev.embed.langchain4j.LangChain4jAgent} and (environment
 * variables in brackets):
 *
 * <dl>
 *   <dt>{@code embed.langchain4j.provider} ({@code EMBED_LANGCHAIN4J_PROVIDER})
 *   <dd>{@code openai}, {@code anthropic} or {@code ollama}; required
 *   <dt>{@code embed.langchain4j.baseUrl} ({@code EMBED_LANGCHAIN4J_BASE_URL})
 *   <dd>default {@code https://api.openai.com/v1}, {@code https://api.anthropic.com/v1}, {@code
 *       http://localhost:11434}
 *   <dt>{@code embed.langchain4j.apiKey} ({@code EMBED_LANGCHAIN4J_API_KEY})
 *   <dd>a secret: never logged, never in an error or an answer; required for openai and anthropic
 *   <dt>{@code embed.langchain4j.model} ({@code EMBED_LANGCHAIN4J_MODEL})
 *   <dd>the provider's model name; required
 *   <dt>{@code embed.langchain4j.systemPrompt} ({@code EMBED_LANGCHAIN4J_SYSTEM_PROMPT})
 *   <dd>the system prompt; {@code embed.langchain4j.systemPrompt.<space>/<agent>} overrides it for
 *       one agent and {@code embed.langchain4j.systemPrompt.<space>} for a space's agents
 *   <dt>{@code embed.langchain4j.timeoutSeconds} ({@code EMBED_LANGCHAIN4J_TIMEOUT_SECONDS})
 *   <dd>seconds to connect and for the provider to start answering (default 30); {@code
 *       embed.agent.timeoutSeconds} bounds the whole reply, and cancelling a reply closes its
 *       stream
 * </dl>
 *
 * <p>A host that builds its own model passes it to {@link #LangChain4jAgent(StreamingChatModel,
 * EmbedConfig)} and sets the agent with {@code Embed.builder(config).agent(...)}.
 *
 * <p>A provider's error, a malformed or cut-off stream, or a timeout fails the reply: the session
 * gets the library's "could not answer" message, and the log gets the provider's name and the
 * HTTP status or failure type, never the provider's text. No thread waits for a reply: models
 * built from configuration read their streams with the JDK HTTP client's callbacks.
 */
public final class LangChain4jAgent implements StreamingAgent {
    /** {@code <space>/<agent>} or {@code <space>}, with the ids {@code embed.agents} accepts. */
    private static final Pattern PROMPT_TARGET = Pattern.compile("[A-Za-z0-9._-]{1,128}(/[A-Za-z0-9._-]{1,128})?");
    /** Visible ASCII: what an HTTP header value may carry without being refused or mangled. */
    private static final Pattern HEADER_VALUE = Pattern.compile("[\\x21-\\x7E]+");

    private final StreamingChatModel model;
    private final String provider;
    private final String systemPrompt;
    private final Map<String, String> systemPrompts;
    /** The reply being started on this thread, so that the HTTP client can attach its stream. */
    private static final ThreadLocal<Reply> STARTING = new ThreadLocal<>();

    /**
     * The agent {@code embed.agent} names: the model comes from the {@code embed.langchain4j.*}
     * keys, checked here.
     *
     * @throws ConfigException naming the key whose value is missing or wrong
     */
    public LangChain4jAgent(EmbedConfig config) {
        Objects.requireNonNull(config, "config");
        Provider chosen = Provider.of(config);
        this.provider = chosen.key;
        this.systemPrompt = Objects.requireNonNull(config.get(ConfigKey.LANGCHAIN4J_SYSTEM_PROMPT), "default");
        this.systemPrompts = systemPrompts(config);
        this.model = chosen.build(config, this::attach);
    }

    /** An agent over the host's own model, with the default system prompt. */
    public LangChain4jAgent(StreamingChatModel model) {
        this(model, EmbedConfig.of(Map.of()));
    }

    /**
     * An agent over the host's own model, with the system prompts of {@code config} ({@code
     * embed.langchain4j.systemPrompt} and its per-agent entries; the provider keys are not read).
     */
    public LangChain4jAgent(StreamingChatModel model, EmbedConfig config) {
        this.model = Objects.requireNonNull(model, "model");
        this.provider = "the model";
        this.systemPrompt = Objects.requireNonNull(config.get(ConfigKey.LANGCHAIN4J_SYSTEM_PROMPT), "default");
        this.systemPrompts = systemPrompts(config);
    }

    @Override
    public void stream(AgentContext context, List<ChatMessage> conversation, ReplySink sink) {
        Reply reply = new Reply(sink, provider);
        sink.onCancel(reply::cancel);
        if (reply.isDone()) {
            return;
        }
        ChatRequest request;
        try {
            request = ChatRequest.builder()
                    .messages(Prompt.messages(systemPrompt(context), context, conversation))
                    .build();
        } catch (RuntimeException e) {
            reply.onError(e);
            return;
        }
        STARTING.set(reply);
        try {
            model.chat(request, reply); // returns once the request is sent: the reply comes in callbacks
        } catch (RuntimeException e) {
            reply.onError(e);
        } finally {
            STARTING.remove();
        }
    }

    /** The system prompt of the session's agent: its own, its space's, else the default. */
    String systemPrompt(AgentContext context) {
        if (context.spaceId() != null) {
            String own =
                    context.agentId() == null ? null : systemPrompts.get(context.spaceId() + "/" + context.agentId());
            if (own != null) {
                return own;
            }
            String space = systemPrompts.get(context.spaceId());
            if (space != null) {
                return space;
            }
        }
        return systemPrompt;
    }

    private void attach(StreamingHttpClient.Stream stream) {
        Reply reply = STARTING.get();
        if (reply != null) {
            reply.attach(stream);
        }
    }

    private static Map<String, String> systemPrompts(EmbedConfig config) {
        Map<String, String> prompts = new LinkedHashMap<>();
        config.withPrefix(ConfigKey.LANGCHAIN4J_SYSTEM_PROMPT_PREFIX).forEach((target, prompt) -> {
            if (!PROMPT_TARGET.matcher(target).matches()) {
                throw new ConfigException("embed: configuration key " + ConfigKey.LANGCHAIN4J_SYSTEM_PROMPT_PREFIX
                        + target + " (" + config.origin(ConfigKey.LANGCHAIN4J_SYSTEM_PROMPT_PREFIX + target)
                        + ") must name <space>/<agent> or <space> after " + ConfigKey.LANGCHAIN4J_SYSTEM_PROMPT_PREFIX);
            }
            if (!prompt.isBlank()) {
                prompts.put(target, prompt);
            }
        });
        return Map.copyOf(prompts);
    }

    /** The providers {@code embed.langchain4j.provider} may name, with their default base URLs. */
    private enum Provider {
        OPENAI("openai", "https://api.openai.com/v1", true),
        ANTHROPIC("anthropic", "https://api.anthropic.com/v1", true),
        OLLAMA("ollama", "http://localhost:11434", false);

        private final String key;
        private final String defaultBaseUrl;
        private final boolean needsApiKey;

        Provider(String key, String defaultBaseUrl, boolean needsApiKey) {
            this.key = key;
            this.defaultBaseUrl = defaultBaseUrl;
            this.needsApiKey = needsApiKey;
        }

        static Provider of(EmbedConfig config) {
            if (!config.isSet(ConfigKey.LANGCHAIN4J_PROVIDER)) {
                throw required(ConfigKey.LANGCHAIN4J_PROVIDER, "openai, anthropic or ollama");
            }
            String name = config.get(ConfigKey.LANGCHAIN4J_PROVIDER, "").strip().toLowerCase(Locale.ROOT);
            for (Provider p : values()) {
                if (p.key.equals(name)) {
                    return p;
                }
            }
            throw config.invalid(ConfigKey.LANGCHAIN4J_PROVIDER, "must be openai, anthropic or ollama");
        }

        StreamingChatModel build(EmbedConfig config, java.util.function.Consumer<StreamingHttpClient.Stream> watcher) {
            String baseUrl = baseUrl(config);
            String model = modelName(config);
            @Nullable String apiKey = apiKey(config);
            Duration timeout = Duration.ofSeconds(config.getInt(ConfigKey.LANGCHAIN4J_TIMEOUT_SECONDS, 1, 600));
            StreamingHttpClient.Builder http = StreamingHttpClient.builder(baseUrl, watcher);
            // Request and response logging stay off: they would write the key and the users' text.
            return switch (this) {
                case OPENAI ->
                    OpenAiStreamingChatModel.builder()
                            .httpClientBuilder(http)
                            .baseUrl(baseUrl)
                            .apiKey(apiKey)
                            .modelName(model)
                            .timeout(timeout)
                            .logRequests(false)
                            .logResponses(false)
                            .build();
                case ANTHROPIC ->
                    AnthropicStreamingChatModel.builder()
                            .httpClientBuilder(http)
                            .baseUrl(baseUrl)
                            .apiKey(apiKey)
                            .modelName(model)
                            .timeout(timeout)
                            .logRequests(false)
                            .logResponses(false)
                            .build();
                case OLLAMA ->
                    OllamaStreamingChatModel.builder()
                            .httpClientBuilder(http)
                            .baseUrl(baseUrl)
                            .modelName(model)
                            .timeout(timeout)
                            .customHeaders(apiKey == null ? Map.of() : Map.of("Authorization", "Bearer " + apiKey))
                            .logRequests(false)
                            .logResponses(false)
                            .build();
            };
        }

        private String baseUrl(EmbedConfig config) {
            ConfigKey key = ConfigKey.LANGCHAIN4J_BASE_URL;
            if (!config.isSet(key)) {
                return defaultBaseUrl;
            }
            String value = config.get(key, "").strip();
            URI uri;
            try {
                uri = new URI(value);
            } catch (URISyntaxException e) {
                throw config.invalid(key, "must be an absolute http or https URL");
            }
            if (uri.getRawUserInfo() != null) {
                // Not config.invalid: it would print the credentials.
                throw new ConfigException("embed: configuration key " + key.key() + " (" + config.origin(key.key())
                        + ", or env " + key.env() + ") must not carry credentials; put the key in "
                        + ConfigKey.LANGCHAIN4J_API_KEY.key());
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw config.invalid(key, "must be an absolute http or https URL");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw config.invalid(key, "must not have a query or a fragment");
            }
            return value;
        }

        private static String modelName(EmbedConfig config) {
            ConfigKey key = ConfigKey.LANGCHAIN4J_MODEL;
            if (!config.isSet(key)) {
                throw required(key, "the provider's model name, e.g. gpt-4.1-mini, claude-sonnet-4-5 or llama3.2");
            }
            String model = config.get(key, "").strip();
            if (!HEADER_VALUE.matcher(model).matches()) {
                throw config.invalid(key, "must be a model name without spaces or control characters");
            }
            return model;
        }

        private @Nullable String apiKey(EmbedConfig config) {
            ConfigKey key = ConfigKey.LANGCHAIN4J_API_KEY;
            if (!config.isSet(key)) {
                if (needsApiKey) {
                    throw required(key, "the " + this.key + " API key (any value for a server that checks none)");
                }
                return null;
            }
            String apiKey = config.get(key, "").strip();
            if (!HEADER_VALUE.matcher(apiKey).matches()) {
                throw config.invalid(key, "must be printable ASCII without spaces");
            }
            return apiKey;
        }

        private static ConfigException required(ConfigKey key, String what) {
            return new ConfigException("embed: configuration key " + key.key() + " (or env " + key.env()
                    + ") is required by " + LangChain4jAgent.class.getName() + ": " + what);
        }
    }
}
