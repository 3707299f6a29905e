package dev.embed.jaxrs;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a resource method (or class) of the host application as an embed endpoint: before it runs,
 * the library verifies the bearer embed token of the one {@code Authorization} header (RFC 6750
 * §2.1) and requires it to belong to the {@code {sessionId}} path parameter (403 {@code
 * insufficient_scope} otherwise, 404 when the path has none). The method then sees the external
 * user as {@code SecurityContext.getUserPrincipal()} (an {@code dev.embed.token.EmbedPrincipal}) and
 * the verified claims as the request property {@link #CLAIMS_PROPERTY}. Active once {@link
 * EmbedFeature} is registered.
 *
 * <pre>{@code
 * @Path("api/v1/embed/chat-sessions/{sessionId}/whoami")
 * @EmbedTokenRequired
 * public class WhoAmI {
 *     @GET
 *     public String whoami(@Context SecurityContext security) {
 *         return security.getUserPrincipal().getName();
 *     }
 * }
 * }</pre>
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface EmbedTokenRequired {
    /** The request property holding the verified {@code dev.embed.token.EmbedClaims}. */
    String CLAIMS_PROPERTY = "dev.embed.token.EmbedClaims";
}
