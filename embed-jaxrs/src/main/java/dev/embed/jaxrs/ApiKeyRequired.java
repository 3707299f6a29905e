package dev.embed.jaxrs;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a server-to-server resource method (or class) of the host application: before it runs, the
 * library authenticates {@code Authorization: Bearer sk_...} (RFC 6750 §2.1; a key in the query
 * string is refused) against the configured keys, by digest. The method then finds the {@code
 * dev.embed.apikey.ApiKey} as the request property {@link #API_KEY_PROPERTY}. Active once {@link
 * EmbedFeature} is registered.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface ApiKeyRequired {
    /** The request property holding the authenticated {@code dev.embed.apikey.ApiKey}. */
    String API_KEY_PROPERTY = "dev.embed.apikey.ApiKey";
}
