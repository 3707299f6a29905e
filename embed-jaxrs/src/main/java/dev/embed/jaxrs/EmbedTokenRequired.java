package dev.embed.jaxrs;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a resource method (or class) as an embed endpoint: {@link EmbedTokenRequestFilter} verifies
 * the bearer embed token and binds it to the {@code {sessionId}} path parameter before it runs.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface EmbedTokenRequired {}
