package dev.embed.servlet;

import dev.embed.internal.Core;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * What every servlet of the library is: the endpoint table of the application's {@code Embed}
 * served for the paths the servlet is mapped to. The classes {@code web.xml} names differ only in
 * their documentation; each answers every method itself ({@code HEAD} included), so the container
 * adds nothing of its own.
 */
abstract class DispatchingServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private transient Core core;

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        core = ServletSupport.runtime(config).core();
    }

    @Override
    protected final void service(HttpServletRequest request, HttpServletResponse response) {
        core.handle(new ServletExchange(request, response));
    }
}
