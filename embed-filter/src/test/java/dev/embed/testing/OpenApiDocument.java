package dev.embed.testing;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The library's OpenAPI 3.1 document ({@value #RESOURCE}) as a checker of real exchanges: which
 * operation an exchange is, and everything in it the document does not describe.
 *
 * <p>Schemas are JSON Schema 2020-12 (the OpenAPI 3.1 dialect), checked by networknt's
 * json-schema-validator at their place in the document, with format assertions on. The rules
 * beyond schemas:
 *
 * <ul>
 *   <li>a path no template matches must be answered as {@code #/components/responses/NotFound};
 *       a listed path with a method it does not list, as {@code MethodNotAllowed};
 *   <li>the status must be listed by the operation; the answer's documented required headers must
 *       be present and match their schemas; its {@code Content-Type} must be one of the response's
 *       media types (JSON ones with {@code charset=utf-8}) and its body match the schema, or be
 *       empty when the response lists no content;
 *   <li>a request answered 2xx must match the operation: path and query parameters, required
 *       headers, its credential header, and its JSON body;
 *   <li>a request with a JSON body answered 400 must break a rule of the document (its body,
 *       parameters or credential placement): else the code refuses what the document accepts.
 * </ul>
 */
public final class OpenApiDocument {
    public static final String RESOURCE = "META-INF/embed/openapi.yaml";

    static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private static final JsonMapper STRICT_JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final Pattern MEDIA_JSON = Pattern.compile("application/(.+\\+)?json");
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");
    private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]+=*");
    private static final Set<String> CREDENTIAL_PARAMETERS = Set.of(
            "access_token",
            "token",
            "api_key",
            "apikey",
            "api-key",
            "key",
            "api_secret",
            "api-secret",
            "authorization");

    private static volatile OpenApiDocument instance;

    private final JsonNode root;
    private final SchemaRegistry registry;
    private final List<Template> templates;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    /** A path template, its pattern, and the pointer to its Path Item. */
    record Template(String path, Pattern pattern, List<String> names, String pointer) {}

    /** An operation: {@code METHOD /path}, its operationId, and the pointer to it. */
    public record Operation(String method, String path, String id, String pointer) {
        public String key() {
            return method.toUpperCase(Locale.ROOT) + " " + path;
        }
    }

    /**
     * What the check made of one exchange.
     *
     * @param operation the operation, or a pseudo-operation ({@code (unknown path)}, {@code (method
     *     not allowed) /path}, {@code (not the library)})
     * @param violations what the document does not describe; empty when the exchange conforms
     * @param exempt why the exchange is not the library's to answer (then it is not checked), or empty
     */
    public record Outcome(String operation, String operationId, List<String> violations, Optional<String> exempt) {
        /** This outcome without the violations that start with {@code prefix}. */
        public Outcome without(String prefix) {
            return new Outcome(
                    operation,
                    operationId,
                    violations.stream().filter(v -> !v.startsWith(prefix)).toList(),
                    exempt);
        }
    }

    private OpenApiDocument(JsonNode root) {
        this.root = root;
        this.registry = SchemaRegistry.withDialect(
                Dialects.getOpenApi31(),
                builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder()
                        .formatAssertionsEnabled(true)
                        .build()));
        List<Template> list = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : root.path("paths").properties()) {
            List<String> names = new ArrayList<>();
            StringBuilder regex = new StringBuilder("^");
            Matcher m = Pattern.compile("\\{([^}]+)}|[^{]+").matcher(path.getKey());
            while (m.find()) {
                if (m.group(1) != null) {
                    names.add(m.group(1));
                    regex.append("([^/]+)");
                } else {
                    regex.append(Pattern.quote(m.group()));
                }
            }
            list.add(new Template(
                    path.getKey(),
                    Pattern.compile(regex.append('$').toString()),
                    List.copyOf(names),
                    "/paths/" + escape(path.getKey())));
        }
        // Literal paths before templated ones, so /embed/sdk.js is never a {name}.
        list.sort(Comparator.comparingInt(t -> t.names().size()));
        this.templates = List.copyOf(list);
    }

    /** The document of the library jar (parsed once). */
    public static OpenApiDocument load() {
        OpenApiDocument loaded = instance;
        if (loaded == null) {
            try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(RESOURCE + " is not on the class path");
                }
                loaded = new OpenApiDocument(new YAMLMapper().readTree(in));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + RESOURCE, e);
            }
            instance = loaded;
        }
        return loaded;
    }

    /** The parsed document. */
    public JsonNode root() {
        return root;
    }

    /** Every operation of the document, in its order. */
    public List<Operation> operations() {
        List<Operation> operations = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : root.path("paths").properties()) {
            for (String method : METHODS) {
                JsonNode operation = path.getValue().get(method);
                if (operation != null) {
                    operations.add(new Operation(
                            method,
                            path.getKey(),
                            operation.path("operationId").asString(""),
                            "/paths/" + escape(path.getKey()) + "/" + method));
                }
            }
        }
        return operations;
    }

    /** The statuses an operation lists. */
    public List<String> statuses(Operation operation) {
        List<String> statuses = new ArrayList<>();
        node(operation.pointer() + "/responses").propertyNames().forEach(statuses::add);
        return statuses;
    }

    /** Whether a part of the document is marked {@code x-embed-status: planned}. */
    public boolean planned(Operation operation) {
        return "planned".equals(node(operation.pointer()).path("x-embed-status").asString(""))
                || "planned"
                        .equals(node("/paths/" + escape(operation.path()))
                                .path("x-embed-status")
                                .asString(""));
    }

    /**
     * Checks one exchange.
     *
     * @param path the request's raw path relative to the application (without its context path)
     */
    public Outcome check(Exchange exchange, String path) {
        if (exchange.malformed()) {
            return exempt("not valid HTTP/1.1 (an obs-folded header): answered by the container");
        }
        if (exchange.status() == 431) {
            return exempt("request headers over the container's limit: answered by the container");
        }
        String normalized = removeDotSegments(path);
        String method = exchange.method().toLowerCase(Locale.ROOT);
        List<String> violations = new ArrayList<>();
        for (Template template : templates) {
            Matcher m = template.pattern().matcher(normalized);
            if (!m.matches()) {
                continue;
            }
            JsonNode item = node(template.pointer());
            JsonNode operation = item.get(method);
            if (operation == null) {
                String key = "(method not allowed) " + template.path();
                checkResponse(exchange, otherMethod(template, exchange.status()), violations);
                return new Outcome(key, "", violations, Optional.empty());
            }
            Map<String, String> pathValues = new LinkedHashMap<>();
            for (int i = 0; i < template.names().size(); i++) {
                pathValues.put(template.names().get(i), m.group(i + 1));
            }
            String pointer = template.pointer() + "/" + method;
            Operation op = new Operation(
                    method, template.path(), operation.path("operationId").asString(""), pointer);
            String status = Integer.toString(exchange.status());
            if (operation.path("responses").get(status) == null) {
                violations.add("status " + status + " is not documented for " + op.key());
            } else {
                checkResponse(exchange, pointer + "/responses/" + status, violations);
            }
            List<String> requestViolations = checkRequest(exchange, template, pathValues, pointer);
            if (exchange.status() >= 200 && exchange.status() < 300) {
                for (String violation : requestViolations) {
                    violations.add("the request answered " + status + " breaks the document: " + violation);
                }
            } else if (exchange.status() == 400
                    && requestViolations.isEmpty()
                    && !node(pointer + "/requestBody").isMissingNode()
                    && !statedRule(operation, exchange)) {
                violations.add(
                        "answered 400 to a request the document accepts (a rule of the code the document lacks)");
            }
            if (exchange.status() >= 500 && exchange.status() != 503) {
                violations.add("a server error: a contract test must never see " + status);
            }
            return new Outcome(op.key(), op.id(), violations, Optional.empty());
        }
        checkResponse(exchange, "/components/responses/NotFound", violations);
        return new Outcome("(unknown path)", "", violations, Optional.empty());
    }

    /**
     * Whether a 400 answers a rule the operation states but no schema can ({@code x-embed-rules}:
     * the {@code error_description} prefixes of such refusals, e.g. a total length over several
     * members, or a {@code Host} the deployment does not allow).
     */
    private static boolean statedRule(JsonNode operation, Exchange exchange) {
        String description;
        try {
            description = STRICT_JSON
                    .readTree(exchange.responseBody())
                    .path("error_description")
                    .asString("");
        } catch (RuntimeException e) {
            return false;
        }
        for (JsonNode rule : operation.path("x-embed-rules")) {
            if (!rule.asString("").isEmpty() && description.startsWith(rule.asString(""))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where a method the path does not list is answered: 405 {@code MethodNotAllowed}, unless the
     * path's authentication refuses the request first (then as the path's operations document
     * that 400, 401 or 403).
     */
    private String otherMethod(Template template, int status) {
        if (status == 400 || status == 401 || status == 403) {
            for (String method : METHODS) {
                String pointer = template.pointer() + "/" + method + "/responses/" + status;
                if (!"options".equals(method) && !node(pointer).isMissingNode()) {
                    return pointer;
                }
            }
        }
        return "/components/responses/MethodNotAllowed";
    }

    private static Outcome exempt(String why) {
        return new Outcome("(not the library)", "", List.of(), Optional.of(why));
    }

    // ---------------------------------------------------------------- answers

    private void checkResponse(Exchange exchange, String pointer, List<String> violations) {
        String documented = pointer.endsWith("/MethodNotAllowed")
                ? "405"
                : pointer.endsWith("/NotFound") ? "404" : pointer.substring(pointer.lastIndexOf('/') + 1);
        if (!Integer.toString(exchange.status()).equals(documented)) {
            violations.add("answered " + exchange.status() + " where the document says " + documented);
            return;
        }
        String responsePointer = resolvePointer(pointer);
        JsonNode response = node(responsePointer);
        for (Map.Entry<String, JsonNode> header : response.path("headers").properties()) {
            String headerPointer = resolvePointer(responsePointer + "/headers/" + escape(header.getKey()));
            JsonNode definition = node(headerPointer);
            List<String> values = exchange.responseHeader(header.getKey());
            if (values.isEmpty()) {
                if (definition.path("required").asBoolean(false)) {
                    violations.add("answer header " + header.getKey() + " is missing");
                }
                continue;
            }
            for (String error :
                    validate(headerPointer + "/schema", JsonNodeFactory.instance.stringNode(values.get(0)))) {
                violations.add("answer header " + header.getKey() + ": " + error);
            }
        }
        JsonNode content = response.path("content");
        String contentType =
                exchange.responseHeader("Content-Type").stream().findFirst().orElse("");
        String mediaType = mediaType(contentType);
        boolean head = "HEAD".equals(exchange.method());
        if (content.isMissingNode() || content.isEmpty()) {
            if (!exchange.responseBody().isEmpty()) {
                violations.add("the answer has a body (" + contentType + ") where the document lists no content");
            }
            return;
        }
        if (head) {
            return;
        }
        if (content.get(mediaType) == null) {
            violations.add("answer Content-Type '" + contentType + "' is none of " + content.propertyNames());
            return;
        }
        String mediaPointer = responsePointer + "/content/" + escape(mediaType);
        if (MEDIA_JSON.matcher(mediaType).matches()) {
            if (!contentType.toLowerCase(Locale.ROOT).replace(" ", "").contains(";charset=utf-8")) {
                violations.add("answer Content-Type '" + contentType + "' lacks charset=utf-8");
            }
            JsonNode body;
            try {
                body = STRICT_JSON.readTree(exchange.responseBody());
            } catch (JacksonException e) {
                violations.add("the answer body is not JSON");
                return;
            }
            for (String error : validate(mediaPointer + "/schema", body)) {
                violations.add("answer body " + error);
            }
        } else if ("text/event-stream".equals(mediaType)) {
            checkEvents(exchange.responseBody(), mediaPointer, violations);
        }
    }

    /** Each event's data against {@code x-embed-events} of the media type. */
    private void checkEvents(String stream, String mediaPointer, List<String> violations) {
        JsonNode events = node(mediaPointer + "/x-embed-events");
        for (String block : stream.split("\r?\n\r?\n", -1)) {
            String name = "message";
            StringBuilder data = new StringBuilder();
            boolean any = false;
            for (String line : block.split("\r?\n", -1)) {
                if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                    any = true;
                } else if (line.startsWith("data:")) {
                    data.append(data.length() == 0 ? "" : "\n")
                            .append(line.substring(5).strip());
                    any = true;
                }
            }
            if (!any) {
                continue; // comments and ids only
            }
            if (events.get(name) == null) {
                violations.add("event '" + name + "' is none of " + events.propertyNames());
                continue;
            }
            try {
                for (String error : validate(
                        mediaPointer + "/x-embed-events/" + escape(name), STRICT_JSON.readTree(data.toString()))) {
                    violations.add("event " + name + " data " + error);
                }
            } catch (JacksonException e) {
                violations.add("event " + name + " data is not JSON");
            }
        }
    }

    // ---------------------------------------------------------------- requests

    /** What in the request the operation does not allow (path, query, headers, credential, body). */
    private List<String> checkRequest(
            Exchange exchange, Template template, Map<String, String> pathValues, String pointer) {
        List<String> violations = new ArrayList<>();
        Map<String, String> query = query(exchange.query());
        for (String name : query.keySet()) {
            if (CREDENTIAL_PARAMETERS.contains(name.toLowerCase(Locale.ROOT))
                    && !node(pointer).path("security").isEmpty()) {
                violations.add("a credential in the URL (query parameter " + name + ")");
            }
        }
        List<String> parameters = new ArrayList<>();
        for (String list : List.of(template.pointer() + "/parameters", pointer + "/parameters")) {
            for (int i = 0; i < node(list).size(); i++) {
                parameters.add(resolvePointer(list + "/" + i));
            }
        }
        for (String parameterPointer : parameters) {
            JsonNode parameter = node(parameterPointer);
            String name = parameter.path("name").asString("");
            String in = parameter.path("in").asString("");
            Optional<String> value = switch (in) {
                case "path" -> Optional.ofNullable(pathValues.get(name)).map(OpenApiDocument::decode);
                case "query" -> Optional.ofNullable(query.get(name));
                case "header" -> exchange.requestHeader(name).stream().findFirst();
                default -> Optional.empty();
            };
            if (value.isEmpty()) {
                if (parameter.path("required").asBoolean(false)) {
                    violations.add(in + " parameter " + name + " is missing");
                }
                continue;
            }
            String schemaPointer = parameterPointer + "/schema";
            for (String error : validate(schemaPointer, scalar(schemaPointer, value.get()))) {
                violations.add(in + " parameter " + name + ": " + error);
            }
        }
        JsonNode security = node(pointer).path("security");
        for (JsonNode requirement : security) {
            for (String scheme : requirement.propertyNames()) {
                JsonNode definition = node("/components/securitySchemes/" + escape(scheme));
                String header = "apiKey".equals(definition.path("type").asString(""))
                        ? definition.path("name").asString("")
                        : "Authorization";
                List<String> values = exchange.requestHeader(header);
                if (values.size() != 1) {
                    violations.add(
                            "expected exactly one " + header + " header (" + scheme + "), found " + values.size());
                } else if ("Authorization".equals(header)
                        && !(values.get(0).regionMatches(true, 0, "Bearer ", 0, 7)
                                && B64TOKEN.matcher(values.get(0).substring(7)).matches())) {
                    violations.add("the Authorization header is not 'Bearer <credential>'");
                }
            }
        }
        JsonNode requestBody = node(pointer + "/requestBody");
        if (!requestBody.isMissingNode()) {
            String bodyPointer = resolvePointer(pointer + "/requestBody");
            String mediaType = mediaType(
                    exchange.requestHeader("Content-Type").stream().findFirst().orElse(""));
            JsonNode content = node(bodyPointer + "/content");
            Optional<String> body = exchange.requestBody();
            if (content.get(mediaType) == null) {
                violations.add("request Content-Type '" + mediaType + "' is none of " + content.propertyNames());
            } else if (body.isEmpty()) {
                violations.add("the request body is missing or too large to check");
            } else {
                try {
                    JsonNode json = integerLiterals(STRICT_JSON.readTree(body.get()));
                    for (String error : validate(bodyPointer + "/content/" + escape(mediaType) + "/schema", json)) {
                        violations.add("request body " + error);
                    }
                } catch (JacksonException e) {
                    violations.add("the request body is not JSON (or repeats a member)");
                }
            }
        }
        return violations;
    }

    /**
     * The API reads an integer only from an integer literal: a number written with a fraction or
     * an exponent ({@code 3600.0}, {@code 3.6e3}) is refused even where its value is whole, while
     * JSON Schema's {@code integer} accepts it. Such a number is replaced here by one with a
     * fraction ({@code 0.5}), which every integer schema refuses ("number found, integer
     * expected") and every other schema judges as it would the literal (the API has no fractional
     * fields).
     */
    static JsonNode integerLiterals(JsonNode node) {
        if (node.isFloatingPointNumber()) {
            return JsonNodeFactory.instance.numberNode(new java.math.BigDecimal("0.5"));
        }
        if (node.isObject()) {
            tools.jackson.databind.node.ObjectNode object = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                object.set(member.getKey(), integerLiterals(member.getValue()));
            }
            return object;
        }
        if (node.isArray()) {
            tools.jackson.databind.node.ArrayNode array = JsonNodeFactory.instance.arrayNode();
            node.forEach(item -> array.add(integerLiterals(item)));
            return array;
        }
        return node;
    }

    /** A query or path value as JSON: a number where the schema wants an integer and it is one. */
    private JsonNode scalar(String schemaPointer, String value) {
        JsonNode schema = node(schemaPointer);
        for (int hops = 0; hops < 16 && schema.has("$ref"); hops++) {
            schema = node(local(schema.get("$ref").asString()));
        }
        if ("integer".equals(schema.path("type").asString(""))
                && INTEGER.matcher(value).matches()) {
            return JsonNodeFactory.instance.numberNode(Long.parseLong(value));
        }
        return JsonNodeFactory.instance.stringNode(value);
    }

    // ---------------------------------------------------------------- the document

    /** The messages of validating {@code instance} against the schema at {@code pointer}. */
    public List<String> validate(String pointer, JsonNode instance) {
        Schema schema = schemas.computeIfAbsent(
                pointer, p -> registry.getSchema(SchemaLocation.of("classpath:" + RESOURCE + "#" + p)));
        List<String> messages = new ArrayList<>();
        for (com.networknt.schema.Error error : schema.validate(instance)) {
            messages.add(error.toString());
        }
        return messages;
    }

    /** The node at a JSON pointer of the document (missing when there is none). */
    public JsonNode node(String pointer) {
        return pointer.isEmpty() ? root : root.at(pointer);
    }

    /** Follows {@code $ref}s of Reference Objects from the node at {@code pointer}; the pointer of the node reached. */
    String resolvePointer(String pointer) {
        String at = pointer;
        for (int hops = 0; hops < 16; hops++) {
            JsonNode ref = node(at).get("$ref");
            if (ref == null || !ref.isString() || !isReferenceObject(at)) {
                return at;
            }
            at = local(ref.asString());
        }
        throw new IllegalStateException("a $ref cycle at " + pointer);
    }

    /** Reference Objects (outside schemas) stand for their target; schemas keep their own $ref. */
    private static boolean isReferenceObject(String pointer) {
        return !pointer.endsWith("/schema")
                && !pointer.contains("/schema/")
                && !pointer.startsWith("/components/schemas");
    }

    private static String local(String ref) {
        if (!ref.startsWith("#")) {
            throw new IllegalStateException("only local references: " + ref);
        }
        return ref.substring(1);
    }

    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .strip()
                .toLowerCase(Locale.ROOT);
    }

    /** Query parameters, decoded (a part that does not decode is kept as sent); the first value wins. */
    static Map<String, String> query(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&", -1)) {
            if (pair.isEmpty()) {
                continue; // a&&b or a trailing &: no parameter
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            query.putIfAbsent(name, eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return query;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    /** RFC 3986 §5.2.4, on the raw path: what the container dispatches for {@code a/../b}. */
    static String removeDotSegments(String path) {
        Deque<String> out = new ArrayDeque<>();
        String[] segments = path.split("/", -1);
        for (int i = 1; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (".".equals(segment)) {
                if (last) {
                    out.addLast("");
                }
            } else if ("..".equals(segment)) {
                out.pollLast();
                if (last) {
                    out.addLast("");
                }
            } else {
                out.addLast(segment);
            }
        }
        StringBuilder joined = new StringBuilder();
        for (Iterator<String> it = out.iterator(); it.hasNext(); ) {
            joined.append('/').append(it.next());
        }
        return joined.length() == 0 ? "/" : joined.toString();
    }
}
