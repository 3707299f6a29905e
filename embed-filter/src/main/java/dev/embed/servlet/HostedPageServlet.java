package dev.embed.servlet;

import dev.embed.Embed;
import dev.embed.error.EmbedError;
import dev.embed.internal.HostedPages;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;

/**
 * Serves the hosted chat pages (DESIGN §6) and the widget script (§3.2) under {@code /embed/*}:
 *
 * <ul>
 *   <li>{@code /embed/chat/{sessionId}} — flow A's {@code embedUrl}; the page reads {@code
 *       #token=} and removes it from the address
 *   <li>{@code /embed/agents/{agentId}?token=...} — flow C; the page removes {@code token} from the
 *       address
 *   <li>{@code /embed/iframe/{cacheKey}} — flow D; the page redeems the key with {@code POST
 *       /api/v1/iframe/token}
 *   <li>{@code /embed/widget.js} — {@code <script src=".../embed/widget.js" data-agent="support"
 *       data-token="..." data-height="600">} becomes the flow C iframe where the script stands
 * </ul>
 *
 * Pages are frameable only by the origins of the API key that minted the session ({@code
 * origins=} of the key), else those of {@code embed.frameAncestors}, and take a fresh credential
 * over {@code postMessage} only from those origins. Other paths answer 404 and other methods 405,
 * as DESIGN §5 JSON. The files come from the library jar; nothing is built.
 *
 * <pre>{@code
 * <servlet>
 *   <servlet-name>embedPages</servlet-name>
 *   <servlet-class>dev.embed.servlet.HostedPageServlet</servlet-class>
 * </servlet>
 * <servlet-mapping>
 *   <servlet-name>embedPages</servlet-name>
 *   <url-pattern>/embed/*</url-pattern>
 * </servlet-mapping>
 * }</pre>
 */
public class HostedPageServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private transient Embed embed;
    private transient HostedPages pages;

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        embed = ServletSupport.runtime(config);
        pages = embed.core().pages();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        String method = request.getMethod();
        if ("GET".equals(method) || "HEAD".equals(method)) {
            super.service(request, response); // HEAD: the container drops the body
            return;
        }
        ServletSupport.guard(embed, response, "HostedPageServlet", () -> {
            response.setHeader("Allow", "GET, HEAD");
            throw EmbedError.methodNotAllowed("hosted pages answer GET and HEAD only")
                    .toException();
        });
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        ServletSupport.guard(
                embed,
                response,
                "HostedPageServlet",
                () -> ServletSupport.write(
                        response,
                        pages.serve(
                                ServletSupport.path(request),
                                basePath(request),
                                ServletSupport.queryParameter(request, HostedPages.TOKEN_PARAMETER),
                                request.getHeader("Sec-Fetch-Dest"))));
    }

    /** The path of the configured public base URL, else the context path. */
    private String basePath(HttpServletRequest request) {
        return embed.core()
                .publicBaseUrl()
                .map(url -> URI.create(url).getRawPath())
                .orElse(request.getContextPath());
    }
}
