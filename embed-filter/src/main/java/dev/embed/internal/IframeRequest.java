package dev.embed.internal;

import dev.embed.chat.AgentContext;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /api/v1/iframe/create}, checked field by field (DESIGN §3.3). Every rule
 * answers 400 {@code invalid_request} naming the field and never echoing its value; whether the
 * key may use {@code srcs} (403) is the service's check. Unknown top-level members are ignored
 * (as in flows A/B); unknown members inside {@code theme}, {@code limits} and {@code
 * reference_queries} items are refused, so that a misspelt option never passes silently.
 *
 * @param display what the hosted page shows, after the deprecated fallbacks: {@code theme_mode},
 *     {@code custom_css_vars}, {@code start_message} and {@code theme_id} when given, and always
 *     {@code response_mode}, {@code show_sidebar}, {@code show_dashboards}
 * @param limits per-uid message limits: window ({@code hourly}, ...) → most messages per window
 */
record IframeRequest(
        String uid,
        List<String> sources,
        long ttlSeconds,
        List<AgentContext.KnowledgeEntry> knowledgeEntries,
        List<AgentContext.ReferenceQuery> referenceQueries,
        @Nullable String model,
        Map<String, Object> display,
        Map<String, Long> limits) {

    static final Set<String> MODELS =
            Set.of("o3", "o4-mini", "gpt-4.1", "gpt-5", "gpt-5-codex", "sonnet-4", "sonnet-4.5", "haiku-4.5");
    static final Set<String> RESPONSE_MODES = Set.of("full", "basic");
    static final Set<String> THEME_MODES = Set.of("light", "dark", "both");
    static final Set<String> THEME_MEMBERS = Set.of(
            "theme_mode", "custom_css_vars", "start_message", "response_mode", "show_sidebar", "show_dashboards");
    /** The windows of {@code limits} and their lengths (a month is 30 days). */
    static final Map<String, Duration> WINDOWS = UidLimits.WINDOWS;

    static final int MAX_SOURCES = 100;
    static final int MAX_SOURCE_LENGTH = 128;
    static final int MAX_KNOWLEDGE_ENTRIES = 100;
    static final int MAX_KNOWLEDGE_ENTRY_LENGTH = 8000;
    /** Most characters of all knowledge entries together (titles and texts): what the agent's prompt gets. */
    static final int MAX_KNOWLEDGE_TOTAL_LENGTH = 32_000;

    static final int MAX_REFERENCE_QUERIES = 50;
    static final int MAX_TITLE_LENGTH = 200;
    static final int MAX_QUERY_LENGTH = 4000;
    static final int MAX_START_MESSAGE_LENGTH = 500;
    static final int MAX_CSS_VARS = 64;
    static final int MAX_CSS_VALUE_LENGTH = 256;
    static final long MAX_LIMIT = 1_000_000;
    /** A CSS custom property name. */
    private static final Pattern CSS_VAR = Pattern.compile("--[A-Za-z0-9_-]{1,64}");
    /** Characters that could end a declaration, a rule or a style element: never in a value. */
    private static final Pattern CSS_VALUE_FORBIDDEN = Pattern.compile("[;{}<>\"'\\\\\\p{Cntrl}\\u2028\\u2029]");

    static IframeRequest parse(Map<String, Object> body) {
        String uid = Fields.requiredString(body, "uid", 1, 256);
        List<String> sources = sources(body.get("srcs"));
        long ttl = Fields.optionalInteger(body, "ttl", 60, 3600, 900);
        List<AgentContext.KnowledgeEntry> knowledge = knowledge(body.get("knowledge_base_entries"));
        List<AgentContext.ReferenceQuery> queries = referenceQueries(body.get("reference_queries"));
        String model = Fields.optionalEnum(body, "model", MODELS, null);
        String responseMode = Fields.optionalEnum(body, "response_mode", RESPONSE_MODES, null);
        Boolean showSidebar = optionalBoolean(body, "show_sidebar", "show_sidebar");
        Boolean showDashboards = optionalBoolean(body, "show_dashboards", "show_dashboards");
        Object theme = body.get("theme");
        Object themeId = body.get("theme_id");
        if (theme != null && themeId != null) {
            throw bad("send theme or theme_id, not both");
        }
        Map<String, Object> display = new LinkedHashMap<>();
        if (theme != null) {
            display.putAll(theme(theme));
        }
        if (themeId != null) {
            if (!(themeId instanceof Long id) || id < 1 || id > Integer.MAX_VALUE) {
                throw bad("theme_id must be a positive integer");
            }
            display.put("theme_id", themeId);
        }
        // Deprecated top-level options apply only where the theme does not say (§3.3).
        display.putIfAbsent("response_mode", responseMode != null ? responseMode : "full");
        display.putIfAbsent("show_sidebar", showSidebar != null ? showSidebar : Boolean.TRUE);
        display.putIfAbsent("show_dashboards", showDashboards != null ? showDashboards : Boolean.TRUE);
        Map<String, Long> limits = limits(body.get("limits"));
        return new IframeRequest(uid, sources, ttl, knowledge, queries, model, Map.copyOf(display), limits);
    }

    private static List<String> sources(@Nullable Object value) {
        if (value == null) {
            throw bad("srcs is required: a non-empty array of the source ids this link may use");
        }
        if (!(value instanceof List<?> list)) {
            throw bad("srcs must be an array of source ids");
        }
        if (list.isEmpty()) {
            throw bad("srcs must name at least one source id");
        }
        if (list.size() > MAX_SOURCES) {
            throw bad("srcs must have at most " + MAX_SOURCES + " source ids");
        }
        Set<String> out = new LinkedHashSet<>();
        for (Object item : list) {
            if (!(item instanceof String source)
                    || source.isEmpty()
                    || source.length() > MAX_SOURCE_LENGTH
                    || Fields.hasControlCharacter(source)
                    || source.isBlank()) {
                throw bad("srcs must hold source ids: strings of 1-" + MAX_SOURCE_LENGTH + " characters without"
                        + " control characters");
            }
            out.add(source);
        }
        return List.copyOf(out);
    }

    /**
     * Strings, or objects {@code {"title"?, "content"}} or {@code {"text"}} (DESIGN §3.3: real
     * clients send both); at most {@value #MAX_KNOWLEDGE_ENTRIES} entries of {@value
     * #MAX_KNOWLEDGE_ENTRY_LENGTH} characters, {@value #MAX_KNOWLEDGE_TOTAL_LENGTH} in all. An
     * object with any other member is refused, not read in part: a client that sends {@code
     * {"name", "body"}} learns at once that its entries would reach the agent empty.
     */
    private static List<AgentContext.KnowledgeEntry> knowledge(@Nullable Object value) {
        if (value == null) {
            return List.of();
        }
        List<?> list = array(value, "knowledge_base_entries", MAX_KNOWLEDGE_ENTRIES);
        List<AgentContext.KnowledgeEntry> out = new ArrayList<>();
        for (Object item : list) {
            if (item instanceof Map<?, ?> entry) {
                out.add(knowledgeObject(entry));
            } else if (item instanceof String) {
                out.add(new AgentContext.KnowledgeEntry(
                        null, text(item, "knowledge_base_entries items", MAX_KNOWLEDGE_ENTRY_LENGTH, true)));
            } else {
                throw bad("knowledge_base_entries items must be strings or objects {\"title\", \"content\"} or"
                        + " {\"text\"}");
            }
        }
        long total = 0;
        for (AgentContext.KnowledgeEntry entry : out) {
            total += entry.content().length()
                    + (entry.title() == null ? 0 : entry.title().length());
        }
        if (total > MAX_KNOWLEDGE_TOTAL_LENGTH) {
            throw bad("knowledge_base_entries must have at most " + MAX_KNOWLEDGE_TOTAL_LENGTH
                    + " characters in all (titles and texts)");
        }
        return List.copyOf(out);
    }

    private static AgentContext.KnowledgeEntry knowledgeObject(Map<?, ?> entry) {
        Set<?> names = entry.keySet();
        if (names.equals(Set.of("text"))) {
            return new AgentContext.KnowledgeEntry(
                    null, text(entry.get("text"), "knowledge_base_entries text", MAX_KNOWLEDGE_ENTRY_LENGTH, true));
        }
        if (!names.contains("content") || !Set.of("title", "content").containsAll(names)) {
            throw bad("knowledge_base_entries objects take content and an optional title, or text alone");
        }
        Object title = entry.get("title");
        return new AgentContext.KnowledgeEntry(
                title == null ? null : text(title, "knowledge_base_entries title", MAX_TITLE_LENGTH, false),
                text(entry.get("content"), "knowledge_base_entries content", MAX_KNOWLEDGE_ENTRY_LENGTH, true));
    }

    private static List<AgentContext.ReferenceQuery> referenceQueries(@Nullable Object value) {
        if (value == null) {
            return List.of();
        }
        List<?> list = array(value, "reference_queries", MAX_REFERENCE_QUERIES);
        List<AgentContext.ReferenceQuery> out = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof Map<?, ?> query)) {
                throw bad("reference_queries items must be objects {\"title\", \"query\"}");
            }
            for (Object name : query.keySet()) {
                if (!"title".equals(name) && !"query".equals(name)) {
                    throw bad("reference_queries items take only title and query");
                }
            }
            if (query.get("title") == null || query.get("query") == null) {
                throw bad("reference_queries items need both title and query");
            }
            out.add(new AgentContext.ReferenceQuery(
                    text(query.get("title"), "reference_queries title", MAX_TITLE_LENGTH, false),
                    text(query.get("query"), "reference_queries query", MAX_QUERY_LENGTH, true)));
        }
        return List.copyOf(out);
    }

    private static Map<String, Object> theme(Object value) {
        if (!(value instanceof Map)) {
            throw bad("theme must be an object {\"theme_mode\", \"custom_css_vars\", \"start_message\"}");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> theme = (Map<String, Object>) value;
        for (String name : theme.keySet()) {
            if (!THEME_MEMBERS.contains(name)) {
                throw bad("theme takes only " + String.join(", ", new TreeSet<>(THEME_MEMBERS)));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        String mode = Fields.optionalEnum(theme, "theme_mode", THEME_MODES, null);
        if (mode != null) {
            out.put("theme_mode", mode);
        }
        Object vars = theme.get("custom_css_vars");
        if (vars != null) {
            out.put("custom_css_vars", cssVars(vars));
        }
        if (theme.get("start_message") != null) {
            out.put(
                    "start_message",
                    text(theme.get("start_message"), "theme.start_message", MAX_START_MESSAGE_LENGTH, false));
        }
        String responseMode = Fields.optionalEnum(theme, "response_mode", RESPONSE_MODES, null);
        if (responseMode != null) {
            out.put("response_mode", responseMode);
        }
        Boolean sidebar = optionalBoolean(theme, "show_sidebar", "theme.show_sidebar");
        if (sidebar != null) {
            out.put("show_sidebar", sidebar);
        }
        Boolean dashboards = optionalBoolean(theme, "show_dashboards", "theme.show_dashboards");
        if (dashboards != null) {
            out.put("show_dashboards", dashboards);
        }
        return out;
    }

    private static Map<String, String> cssVars(Object value) {
        if (!(value instanceof Map<?, ?> vars)) {
            throw bad(
                    "theme.custom_css_vars must be an object of CSS custom properties, e.g. {\"--accent\": \"#0a7\"}");
        }
        if (vars.size() > MAX_CSS_VARS) {
            throw bad("theme.custom_css_vars must have at most " + MAX_CSS_VARS + " properties");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : vars.entrySet()) {
            if (!CSS_VAR.matcher(String.valueOf(entry.getKey())).matches()) {
                throw bad("theme.custom_css_vars names must be CSS custom properties: -- then 1-64 letters, digits,"
                        + " '_' or '-'");
            }
            Object v = entry.getValue();
            if (!(v instanceof String css)
                    || css.isBlank()
                    || css.length() > MAX_CSS_VALUE_LENGTH
                    || CSS_VALUE_FORBIDDEN.matcher(css).find()) {
                throw bad("theme.custom_css_vars values must be strings of 1-" + MAX_CSS_VALUE_LENGTH + " characters"
                        + " without ; { } < > quotes, backslashes or control characters");
            }
            out.put((String) entry.getKey(), css);
        }
        return Map.copyOf(out);
    }

    private static Map<String, Long> limits(@Nullable Object value) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> windows)) {
            throw bad("limits must be an object such as {\"hourly\": 20, \"daily\": 100}");
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : windows.entrySet()) {
            if (!WINDOWS.containsKey(entry.getKey())) {
                throw bad("limits takes only hourly, daily, weekly and monthly");
            }
            Object n = entry.getValue();
            if (n == null) {
                continue;
            }
            if (!(n instanceof Long limit) || limit < 1 || limit > MAX_LIMIT) {
                throw bad("limits." + entry.getKey() + " must be an integer between 1 and " + MAX_LIMIT);
            }
            out.put((String) entry.getKey(), limit);
        }
        return Map.copyOf(out);
    }

    private static List<?> array(Object value, String name, int max) {
        if (!(value instanceof List<?> list)) {
            throw bad(name + " must be an array");
        }
        if (list.size() > max) {
            throw bad(name + " must have at most " + max + " items");
        }
        return list;
    }

    /** A string of 1..max code points; line breaks and tabs only where {@code multiline}. */
    private static String text(@Nullable Object value, String name, int max, boolean multiline) {
        if (!(value instanceof String text)) {
            throw bad(name + " must be strings");
        }

        int length = text.codePointCount(0, text.length());
        if (length < 1 || text.isBlank()) {
            throw bad(name + " must not be empty");
        }
        if (length > max) {
            throw bad(name + " must have at most " + max + " characters");
        }
        String checked = multiline ? text.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ') : text;
        if (Fields.hasControlCharacter(checked)) {
            throw bad(name + " must not contain control characters"
                    + (multiline ? " other than line breaks and tabs" : ""));
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw bad(name + " must be valid Unicode text");
            }
        }
        return text;
    }

    private static @Nullable Boolean optionalBoolean(Map<String, Object> body, String member, String name) {
        Object value = body.get(member);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Boolean flag)) {
            throw bad(name + " must be true or false");
        }
        return flag;
    }

    private static EmbedException bad(String description) {
        return EmbedError.invalidRequest(description).toException();
    }
}
