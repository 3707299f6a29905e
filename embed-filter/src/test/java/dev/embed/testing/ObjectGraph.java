package dev.embed.testing;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What an object holds, found by walking everything reachable from it: the library's own objects
 * field by field (by reflection), collections, maps, arrays and Caffeine caches through their
 * public views. JDK values with no text of their own ({@code Instant}, {@code Clock}, locks,
 * threads) are not entered. Used to prove that a store or a service never keeps a secret: every
 * string it can reach is checked against {@link Secrets}.
 */
public final class ObjectGraph {
    private ObjectGraph() {}

    /** Every string (and byte or char array, as text) reachable from {@code root}. */
    public static List<String> texts(Object root) {
        List<String> texts = new ArrayList<>();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Object object = todo.pop();
            if (!seen.add(object)) {
                continue;
            }
            Class<?> type = object.getClass();
            if (object instanceof String text) {
                texts.add(text);
            } else if (object instanceof char[] chars) {
                texts.add(new String(chars));
            } else if (object instanceof byte[] bytes) {
                texts.add(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1));
            } else if (type.isArray()) {
                if (!type.getComponentType().isPrimitive()) {
                    for (int i = 0; i < Array.getLength(object); i++) {
                        push(todo, Array.get(object, i));
                    }
                }
            } else if (object instanceof com.github.benmanes.caffeine.cache.Cache<?, ?> cache) {
                push(todo, cache.asMap());
            } else if (object instanceof Map<?, ?> map) {
                for (Map.Entry<?, ?> entry : Map.copyOf(map).entrySet()) {
                    push(todo, entry.getKey());
                    push(todo, entry.getValue());
                }
            } else if (object instanceof Collection<?> collection) {
                for (Object item : List.copyOf(collection)) {
                    push(todo, item);
                }
            } else if (object instanceof Optional<?> optional) {
                optional.ifPresent(value -> push(todo, value));
            } else if (object instanceof Enum<?>) {
                // a constant: nothing of a request in it
            } else if (isOurs(type)) {
                for (Class<?> c = type; c != null && !c.getName().startsWith("java."); c = c.getSuperclass()) {
                    for (Field field : c.getDeclaredFields()) {
                        if (Modifier.isStatic(field.getModifiers())
                                || field.getType().isPrimitive()) {
                            continue;
                        }
                        try {
                            field.setAccessible(true);
                            push(todo, field.get(object));
                        } catch (ReflectiveOperationException | RuntimeException e) {
                            throw new AssertionError("cannot read " + c.getName() + "." + field.getName(), e);
                        }
                    }
                }
            }
        }
        return texts;
    }

    /** The secrets (as {@link Secrets#find} describes them) reachable from {@code root}. */
    public static List<String> secrets(Object root) {
        List<String> found = new ArrayList<>();
        for (String text : texts(root)) {
            found.addAll(Secrets.find(text));
        }
        return found;
    }

    private static boolean isOurs(Class<?> type) {
        return type.getName().startsWith("dev.embed.") || type.isRecord();
    }

    private static void push(Deque<Object> todo, Object value) {
        if (value != null) {
            todo.push(value);
        }
    }
}
