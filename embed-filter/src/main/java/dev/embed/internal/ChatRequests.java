package dev.embed.internal;

import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The rules of the embed JSON endpoints' requests (DESIGN §4): the message body and the query of
 * the session read. Every refusal is 400 {@code invalid_request} naming the field and never
 * echoing its value.
 */
final class ChatRequests {
    /** Longest {@code message}, in characters (Unicode code points). */
    static final int MAX_MESSAGE_LENGTH = 8000;

    /** Longest {@code wait}, in seconds. */
    static final int MAX_WAIT_SECONDS = 30;

    /** {@code limit} when the query has none. */
    static final int DEFAULT_LIMIT = 100;

    private static final Pattern CURSOR = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern SMALL_NUMBER = Pattern.compile("[0-9]{1,3}");

    private ChatRequests() {}

    /**
     * The {@code message} of a body: a string of 1–8000 characters that are not all white space;
     * line breaks and tabs allowed, other control characters and lone surrogates not.
     */
    static String message(Map<String, Object> body) {
        Object value = body.get("message");
        if (value == null) {
            throw bad("message is required");
        }
        if (!(value instanceof String text)) {
            throw bad("message must be a string");
        }
        int length = text.codePointCount(0, text.length());
        if (length < 1 || text.isBlank()) {
            throw bad("message must have at least 1 character that is not white space");
        }
        if (length > MAX_MESSAGE_LENGTH) {
            throw bad("message must have at most " + MAX_MESSAGE_LENGTH + " characters");
        }
        // Line breaks and tabs belong in chat text; other controls do not.
        if (Fields.hasControlCharacter(
                text.replace('\n', ' ').replace('\r', ' ').replace('\t', ' '))) {
            throw bad("message must not contain control characters other than line breaks and tabs");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw bad("message must be valid Unicode text");
            }
        }
        return text;
    }

    /** The optional {@code mode} of a body: one of DESIGN §3.1's modes, or null. */
    static @Nullable String mode(Map<String, Object> body) {
        return Fields.optionalEnum(body, "mode", Fields.MODES, null);
    }

    /** A message id cursor ({@code after} or {@code before}), or null when absent or empty. */
    static @Nullable String cursor(@Nullable String value, String name) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!CURSOR.matcher(value).matches()) {
            throw badCursor(name);
        }
        return value;
    }

    /** {@code wait}: 0 when absent or empty, else whole seconds from 0 to 30. */
    static int waitSeconds(@Nullable String wait) {
        if (wait == null || wait.isEmpty()) {
            return 0;
        }
        if (!SMALL_NUMBER.matcher(wait).matches() || Integer.parseInt(wait) > MAX_WAIT_SECONDS) {
            throw bad("wait must be a whole number of seconds from 0 to " + MAX_WAIT_SECONDS);
        }
        return Integer.parseInt(wait);
    }

    /** {@code limit}: {@value #DEFAULT_LIMIT} when absent or empty, else a whole number from 1 to 500. */
    static int limit(@Nullable String limit) {
        if (limit == null || limit.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        int max = dev.embed.store.MessageStore.MAX_PAGE_SIZE;
        if (!SMALL_NUMBER.matcher(limit).matches() || Integer.parseInt(limit) < 1 || Integer.parseInt(limit) > max) {
            throw bad("limit must be a whole number of messages from 1 to " + max);
        }
        return Integer.parseInt(limit);
    }

    /** 400 for a cursor that is no message of the session. */
    static EmbedException badCursor(String name) {
        return bad(name + " must be the id of a message of this session; fetch the session without " + name
                + " to start over");
    }

    static EmbedException bad(String description) {
        return EmbedError.invalidRequest(description).toException();
    }
}
