package dev.embed.internal;

import dev.embed.error.EmbedException;
import dev.embed.store.EmbedSession;
import dev.embed.store.SessionStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Who may frame a hosted page (DESIGN §6): the origins recorded on the page's session (those of the
 * API key that minted it), else {@code embed.frameAncestors}. The page's session is found from what
 * its URL carries: the session id (flow A), the visitor token of the query, or a session id after
 * the agent (flow C), the cache key's link (flow D, peeked at, never taken).
 */
final class PageFraming {
    private static final System.Logger LOG = System.getLogger("dev.embed.page");

    private final SessionStore sessions;
    private final TokenService tokens;
    private final IframeLinkService links;
    private final FrameAncestors defaults;

    /**
     * @param defaultFrameAncestors {@code embed.frameAncestors}: who may frame a page whose session
     *     records no origins
     */
    PageFraming(
            SessionStore sessions, TokenService tokens, IframeLinkService links, List<String> defaultFrameAncestors) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.links = Objects.requireNonNull(links, "links");
        List<String> invalid = FrameAncestors.invalid(defaultFrameAncestors);
        if (!invalid.isEmpty()) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "embed: embed.frameAncestors entries " + invalid + " are not origins"
                            + " (scheme://host[:port], 'self' or *) and are ignored");
        }
        this.defaults = FrameAncestors.of(defaultFrameAncestors);
    }

    /**
     * The {@code frame-ancestors} of a page. Flow C's session is the query token's, else {@code
     * sessionHint} when that session is of the page's agent. A session id is no credential: it only
     * picks whose origins may frame the page, and the page still needs a token (handed over) for
     * that session to do anything.
     */
    FrameAncestors of(HostedPages.Flow flow, String id, @Nullable String queryToken, @Nullable String sessionHint) {
        Optional<EmbedSession> session = switch (flow) {
            case CHAT -> sessions.find(id);
            case AGENTS ->
                sessionOfToken(queryToken)
                        .or(() -> sessionHint == null
                                ? Optional.empty()
                                : sessions.find(sessionHint).filter(s -> id.equals(s.agentId())));
            case IFRAME -> links.sessionOfKey(id);
        };
        List<String> recorded = session.map(EmbedSession::frameAncestors).orElse(List.of());
        if (!recorded.isEmpty()) {
            FrameAncestors origins = FrameAncestors.of(recorded);
            if (!origins.sources().isEmpty()) {
                return origins;
            }
        }
        return defaults;
    }

    private Optional<EmbedSession> sessionOfToken(@Nullable String token) {
        if (token == null || token.isEmpty() || token.length() > TokenService.MAX_TOKEN_LENGTH) {
            return Optional.empty();
        }
        try {
            return sessions.find(tokens.verify(token).sessionId());
        } catch (EmbedException e) {
            return Optional.empty(); // the page itself will be told 401 and ask its parent for a token
        }
    }
}
