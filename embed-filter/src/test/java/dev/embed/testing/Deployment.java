package dev.embed.testing;

import dev.embed.Embed;
import java.net.URI;

/** An application under test, served over HTTP by one adapter. */
public interface Deployment extends AutoCloseable {
    /** Base URI with the context path, without a trailing slash. */
    URI base();

    /** The runtime the application uses. */
    Embed embed();

    default URI uri(String path) {
        return URI.create(base() + path);
    }
}
