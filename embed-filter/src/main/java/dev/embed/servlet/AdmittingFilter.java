package dev.embed.servlet;

import dev.embed.internal.Core;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * What the library's filters are: the credential check of a library prefix, for the host's own
 * endpoints under it. The library's own endpoints pass untouched (their servlet checks them, once);
 * preflights and refused credentials are answered here; an admitted request goes on with its
 * caller in a request attribute.
 */
abstract class AdmittingFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    private transient Core core;

    @Override
    public void init(FilterConfig config) throws ServletException {
        super.init(config);
        core = ServletSupport.runtime(config).core();
    }

    @Override
    protected final void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Core.Admission admission = core.admit(new ServletExchange(request, response));
        switch (admission.kind()) {
            case PASS -> chain.doFilter(request, response);
            case ANSWERED -> {
                // the library answered: a preflight, or a refused credential
            }
            case ADMITTED -> {
                admission.headers().forEach(response::setHeader);
                Object caller = admission.caller();
                chain.doFilter(admitted(request, caller == null ? new Object() : caller), response);
            }
        }
    }

    /** The request as the host's endpoint sees it: the caller in an attribute (and as its principal). */
    abstract HttpServletRequest admitted(HttpServletRequest request, Object caller);
}
