/*
 * The embed SDK (DESIGN §6): put the agent on your own page without writing the postMessage
 * protocol yourself. Load it from the server that hosts the chat, then mount:
 *
 *   <script src="https://agents.example.com/embed/sdk.js"></script>
 *   <script>
 *     const chat = Embed.mount(document.getElementById('help'), {
 *       // Your backend mints (it holds the API key) and answers a token, an embedUrl (flow A) or
 *       // an iframe_url (flow D); `sessionId` asks it to continue that session.
 *       fetchToken: async ({ reason, sessionId }) => {
 *         const res = await fetch('/my-backend/embed-url' + (sessionId ? '?sessionId=' + sessionId : ''), { method: 'POST' });
 *         return (await res.json()).embedUrl;
 *       },
 *       onEvent: (event) => console.log(event.type, event),
 *       launcher: { label: 'Chat with us' }
 *     });
 *     // later: chat.destroy();
 *   </script>
 *
 * Options: url (an embedUrl, an iframe_url, a flow C page such as
 * https://agents.example.com/embed/agents/support, or the server's base URL with `agent`; without
 * url, the first fetchToken() answer must be an embedUrl or iframe_url), agent, fetchToken,
 * onEvent, launcher (true or {label, position: "bottom-right" | "bottom-left"}), title, width,
 * height, renewBeforeSeconds (default 60). Types: /embed/sdk.d.ts.
 *
 * The credential never enters a URL: a token found in `url` (#token= or ?token=) is removed before
 * it becomes the frame's src, and every token is handed to the chat with postMessage, to the chat's
 * exact origin, once the chat has loaded. The SDK renews a token renewBeforeSeconds before it
 * expires (from the token's exp - iat, counted from when it arrived, so the two clocks need not
 * agree) and whenever the chat says it expired, by calling fetchToken; the conversation goes on in
 * the same frame. Flow D: a new iframe_url's cache key is posted to the same frame, which redeems
 * it itself ({type: "embed:cache-key"}): no reload, and the new key never enters a URL either.
 * Messages are taken only from the chat frame's window at the chat's origin.
 *
 * Events: ready {sessionId}; message {id, role: "assistant", sessionId, createdAt} (an assistant
 * message arrived: its id and time, never its text, which stays in the frame); token-expired
 * {sessionId}; error {code, message} with code "ended", "link-expired", "no-session",
 * "fetch-token-failed", "invalid-credential" or "invalid-url".
 */
(function () {
  'use strict';

  const VERSION = '1';
  const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
  const ID = /^[A-Za-z0-9._-]{1,128}$/;
  const CACHE_KEY = /^[A-Za-z0-9_-]{22,128}$/;
  const LENGTH = /^\d{1,5}(\.\d{1,3})?(px|%|em|rem|vh|vw)?$/;
  const PAGE = /^(.*)\/embed\/(chat|agents|iframe)\/([A-Za-z0-9._-]{1,128})(?:\/([A-Za-z0-9._-]{1,128}))?\/?$/;
  const REPOST_WINDOW_MS = 10000;
  let mounted = 0;

  if (window.Embed && typeof window.Embed.mount === 'function') {
    return; // loaded twice: keep the first
  }

  /** Mounts the chat in `element` (inline) or as a launcher (element may then be null). */
  function mount(element, options) {
    const opts = options || {};
    if (!opts.launcher && !(element instanceof Element)) {
      throw new TypeError('Embed.mount: element must be a DOM element (or use the launcher option)');
    }
    if (opts.fetchToken !== undefined && typeof opts.fetchToken !== 'function') {
      throw new TypeError('Embed.mount: fetchToken must be a function returning (a promise of) a string');
    }
    return new Chat(element, opts);
  }

  /** What a page URL names: {base, origin, flow, id, session, token, cacheKey, src}, or null. */
  function parsePage(raw, agent) {
    let url;
    try {
      url = new URL(raw, document.baseURI);
    } catch (e) {
      return null;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      return null;
    }
    const fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
    const token = fragment.get('token') || url.searchParams.get('token');
    let match = PAGE.exec(url.pathname);
    if (!match && agent && ID.test(agent)) {
      match = [null, url.pathname.replace(/\/+$/, ''), 'agents', agent, null];
    }
    if (!match || (match[2] !== 'agents' && match[4])) {
      return null;
    }
    const page = {
      origin: url.origin,
      base: url.origin + match[1],
      flow: match[2],
      id: match[3],
      session: match[2] === 'chat' ? match[3] : match[4] || null,
      token: token && JWT.test(token) && token.length <= 8192 ? token : null,
      cacheKey: match[2] === 'iframe' && CACHE_KEY.test(match[3]) ? match[3] : null
    };
    if (page.flow === 'iframe' && !page.cacheKey) {
      return null;
    }
    return page;
  }

  /** A token's claims, read without verification (the server verifies), or null. */
  function claimsOf(token) {
    try {
      const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const binary = atob(part + '==='.slice((part.length + 3) % 4));
      const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
      const claims = JSON.parse(new TextDecoder().decode(bytes));
      return claims && typeof claims === 'object' ? claims : null;
    } catch (e) {
      return null;
    }
  }

  function size(value, fallback) {
    if (value === undefined || value === null || value === '') {
      return fallback;
    }
    const text = String(value).trim();
    if (!LENGTH.test(text)) {
      return fallback;
    }
    return /^[\d.]+$/.test(text) ? text + 'px' : text;
  }

  /** One mounted chat. Its state (the credential above all) is private: the customer's page gets only the methods. */
  class Chat {
    #opts;
    #id;
    #destroyed;
    #page;
    #token;
    #tokenAt;
    #renewTimer;
    #renewing;
    #renewedAt;
    #repostedFor;
    #sessionId;
    #open;
    #onMessage;
    #onKey;
    #frame;
    #root;
    #launcher;
    #panel;
    #button;

    constructor(element, opts) {
      this.#opts = opts;
      this.#id = 'embed-chat-' + ++mounted;
      this.#destroyed = false;
      this.#page = null; // what the frame shows: parsePage() of its src
      this.#token = null; // the credential the frame should have (memory only)
      this.#tokenAt = 0;
      this.#renewTimer = 0;
      this.#renewing = null;
      this.#renewedAt = 0;
      this.#repostedFor = null;
      this.#sessionId = null;
      this.#open = false;
      this.#onMessage = (event) => this.#receive(event);
      this.#onKey = (event) => this.#key(event);
      this.#build(element);
      window.addEventListener('message', this.#onMessage);
      this.#start();
    }

    /** The chat's iframe. */
    get frame() {
      return this.#frame;
    }

    /** Whether the launcher's panel is open (always true inline). */
    get isOpen() {
      return !this.#launcher || this.#open;
    }

    /** Launcher mode: opens the panel and moves focus into the chat. */
    open() {
      if (!this.#launcher || this.#destroyed || this.#open) {
        return;
      }
      this.#open = true;
      this.#panel.hidden = false;
      this.#panel.style.display = 'flex';
      this.#button.setAttribute('aria-expanded', 'true');
      this.#frame.focus();
      this.#post({ type: 'embed:focus' });
    }

    /** Launcher mode: closes the panel; focus returns to the launcher button. */
    close() {
      if (!this.#launcher || this.#destroyed || !this.#open) {
        return;
      }
      this.#open = false;
      this.#panel.hidden = true;
      this.#panel.style.display = 'none';
      this.#button.setAttribute('aria-expanded', 'false');
      this.#button.focus();
    }

    /** Removes the chat (and the launcher), forgets its credential and stops every timer. */
    destroy() {
      if (this.#destroyed) {
        return;
      }
      this.#destroyed = true;
      clearTimeout(this.#renewTimer);
      window.removeEventListener('message', this.#onMessage);
      document.removeEventListener('keydown', this.#onKey, true);
      this.#token = null;
      this.#root.remove();
    }

    // ---------------------------------------------------------------- building

    #build(element) {
      const opts = this.#opts;
      const title = typeof opts.title === 'string' && opts.title ? opts.title : 'Chat';
      const frame = document.createElement('iframe');
      frame.title = title;
      frame.referrerPolicy = 'no-referrer';
      frame.setAttribute('referrerpolicy', 'no-referrer');
      frame.allow = 'microphone';
      frame.style.display = 'block';
      frame.style.border = '0';
      frame.style.colorScheme = 'normal';
      frame.addEventListener('load', () => this.#handOver());
      this.#frame = frame;
      if (!opts.launcher) {
        frame.className = 'embed-chat-frame';
        frame.style.width = size(opts.width, '100%');
        frame.style.height = size(opts.height, '600px');
        frame.style.maxWidth = '100%';
        frame.style.boxSizing = 'border-box';
        this.#root = frame;
        this.#launcher = false;
        element.appendChild(frame);
        return;
      }
      this.#launcher = true;
      const launcher = typeof opts.launcher === 'object' ? opts.launcher : {};
      const left = launcher.position === 'bottom-left';
      const root = document.createElement('div');
      root.className = 'embed-launcher';

      const panel = document.createElement('div');
      panel.id = this.#id;
      panel.className = 'embed-launcher-panel';
      panel.setAttribute('role', 'dialog');
      panel.setAttribute('aria-label', title);
      panel.hidden = true;
      Object.assign(panel.style, {
        display: 'none',
        flexDirection: 'column',
        position: 'fixed',
        bottom: '88px',
        [left ? 'left' : 'right']: '20px',
        width: 'min(400px, calc(100vw - 32px))',
        height: size(opts.height, 'min(620px, calc(100vh - 112px))'),
        background: '#ffffff',
        borderRadius: '14px',
        boxShadow: '0 12px 40px rgba(15, 23, 42, 0.28)',
        overflow: 'hidden',
        zIndex: '2147483000'
      });
      const header = document.createElement('div');
      Object.assign(header.style, {
        display: 'flex',
        justifyContent: 'flex-end',
        padding: '4px',
        background: '#f1f3f6',
        borderBottom: '1px solid #e3e6eb'
      });
      const close = document.createElement('button');
      close.type = 'button';
      close.className = 'embed-launcher-close';
      close.setAttribute('aria-label', 'Close ' + title);
      close.textContent = '\u00d7';
      Object.assign(close.style, {
        width: '36px',
        height: '32px',
        border: '0',
        borderRadius: '8px',
        background: 'transparent',
        color: '#1b1f27',
        font: '22px/1 system-ui, sans-serif',
        cursor: 'pointer'
      });
      close.addEventListener('click', () => this.close());
      header.appendChild(close);
      frame.style.width = '100%';
      frame.style.flex = '1 1 auto';
      frame.style.minHeight = '0';
      panel.append(header, frame);

      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'embed-launcher-button';
      button.setAttribute('aria-haspopup', 'dialog');
      button.setAttribute('aria-expanded', 'false');
      button.setAttribute('aria-controls', panel.id);
      Object.assign(button.style, {
        position: 'fixed',
        bottom: '20px',
        [left ? 'left' : 'right']: '20px',
        display: 'inline-flex',
        alignItems: 'center',
        gap: '8px',
        height: '52px',
        padding: '0 20px',
        border: '0',
        borderRadius: '26px',
        background: '#2f5bea',
        color: '#ffffff',
        font: '600 15px/1 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
        boxShadow: '0 8px 24px rgba(15, 23, 42, 0.25)',
        cursor: 'pointer',
        zIndex: '2147483000'
      });
      const icon = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      icon.setAttribute('viewBox', '0 0 24 24');
      icon.setAttribute('width', '20');
      icon.setAttribute('height', '20');
      icon.setAttribute('aria-hidden', 'true');
      icon.setAttribute('focusable', 'false');
      const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
      path.setAttribute('d', 'M4 4h16v12H7l-3 3z');
      path.setAttribute('fill', 'currentColor');
      icon.appendChild(path);
      const label = document.createElement('span');
      label.textContent = typeof launcher.label === 'string' && launcher.label ? launcher.label : 'Chat';
      button.append(icon, label);
      button.addEventListener('click', () => (this.#open ? this.close() : this.open()));

      root.append(panel, button);
      this.#panel = panel;
      this.#button = button;
      this.#root = root;
      (element instanceof Element ? element : document.body).appendChild(root);
      document.addEventListener('keydown', this.#onKey, true);
    }

    /** Escape with focus in the panel (but outside the chat frame, which reports its own). */
    #key(event) {
      if (event.key === 'Escape' && this.#open && this.#panel.contains(document.activeElement)) {
        event.preventDefault();
        this.close();
      }
    }

    // ---------------------------------------------------------------- credential

    async #start() {
      let page = this.#opts.url ? parsePage(this.#opts.url, this.#opts.agent) : null;
      if (this.#opts.url && !page) {
        this.#emit({ type: 'error', code: 'invalid-url', message: 'url is not a hosted chat page of this server' });
        return;
      }
      let token = page ? page.token : null;
      if (!page || (!token && page.flow !== 'iframe')) {
        const answer = await this.#fetch('initial', page);
        if (!answer) {
          return;
        }
        if (answer.page) {
          page = answer.page;
        }
        token = answer.token || (page && page.token);
      }
      if (this.#destroyed) {
        return;
      }
      if (!page || (!token && page.flow !== 'iframe')) {
        this.#emit({ type: 'error', code: 'invalid-credential', message: 'fetchToken gave no usable credential' });
        return;
      }
      this.#accept(token);
      this.#show(page);
    }

    /** Points the frame at `page`, without any credential in the URL. */
    #show(page) {
      let path;
      if (page.flow === 'agents') {
        const claims = this.#token ? claimsOf(this.#token) : null;
        const session = claims && typeof claims.sid === 'string' && ID.test(claims.sid) ? claims.sid : page.session;
        path = '/embed/agents/' + encodeURIComponent(page.id) + (session ? '/' + encodeURIComponent(session) : '');
      } else {
        path = '/embed/' + page.flow + '/' + encodeURIComponent(page.id);
      }
      this.#page = page;
      this.#frame.src = page.base + path;
    }

    /** Takes `token` as the credential the frame should have, and schedules its renewal. */
    #accept(token) {
      this.#token = token || null;
      this.#tokenAt = Date.now();
      this.#repostedFor = null;
      clearTimeout(this.#renewTimer);
      const claims = token ? claimsOf(token) : null;
      if (claims && typeof claims.sid === 'string') {
        this.#sessionId = claims.sid;
      }
      const life =
        claims && typeof claims.exp === 'number' && typeof claims.iat === 'number' ? claims.exp - claims.iat : 0;
      if (life > 0) {
        const before = typeof this.#opts.renewBeforeSeconds === 'number' ? this.#opts.renewBeforeSeconds : 60;
        const lead = Math.max(0, Math.min(before, life - 1));
        const ms = (life - lead) * 1000;
        if (ms < 2147483647) {
          this.#renewTimer = setTimeout(() => this.#renew('expiring'), ms);
        }
      }
    }

    /** Posts the current token to the chat (it ignores one it already has). */
    #handOver() {
      if (this.#token) {
        this.#post({ type: 'embed:token', token: this.#token });
      }
    }

    #post(message) {
      if (this.#destroyed || !this.#page || !this.#frame.contentWindow) {
        return;
      }
      // The exact origin: if the frame shows anything else, the browser delivers nothing.
      this.#frame.contentWindow.postMessage(message, this.#page.origin);
    }

    /** Asks fetchToken for a fresh credential and gives it to the same frame. */
    #renew(reason) {
      if (this.#renewing) {
        return this.#renewing;
      }
      this.#renewing = (async () => {
        try {
          const answer = await this.#fetch(reason, this.#page);
          if (!answer || this.#destroyed) {
            return;
          }
          this.#renewedAt = Date.now();
          if (answer.cacheKey && this.#page.flow === 'iframe') {
            this.#post({ type: 'embed:cache-key', cacheKey: answer.cacheKey });
            return;
          }
          if (!answer.token) {
            this.#emit({ type: 'error', code: 'invalid-credential', message: 'fetchToken gave no token' });
            return;
          }
          const claims = claimsOf(answer.token);
          const sid = claims && typeof claims.sid === 'string' ? claims.sid : null;
          this.#accept(answer.token);
          if (this.#page.flow === 'chat' && sid && sid !== this.#page.id) {
            // Flow A pages belong to one session: another session is another page (no token in it).
            this.#show(Object.assign({}, this.#page, { id: sid, session: sid }));
            return;
          }
          this.#handOver();
        } finally {
          this.#renewing = null;
        }
      })();
      return this.#renewing;
    }

    /** fetchToken(), with its answer read as {token} or {page, token, cacheKey}; null on failure. */
    async #fetch(reason, page) {
      if (typeof this.#opts.fetchToken !== 'function') {
        this.#emit({ type: 'error', code: 'fetch-token-failed', message: 'no fetchToken option to get a credential' });
        return null;
      }
      let value;
      try {
        value = await this.#opts.fetchToken({ reason, sessionId: this.#sessionId || (page && page.session) || null });
      } catch (e) {
        if (!this.#destroyed) {
          this.#emit({ type: 'error', code: 'fetch-token-failed', message: String((e && e.message) || e) });
        }
        return null;
      }
      if (this.#destroyed) {
        return null;
      }
      const text = typeof value === 'string' ? value.trim() : '';
      if (JWT.test(text) && text.length <= 8192) {
        return { token: text };
      }
      const named = text ? parsePage(text, this.#opts.agent) : null;
      if (!named || (page && named.origin !== page.origin)) {
        this.#emit({
          type: 'error',
          code: 'invalid-credential',
          message:
            'fetchToken must answer a token, an embedUrl or an iframe_url of ' +
            (page ? page.origin : 'the chat server')
        });
        return null;
      }
      return { page: named, token: named.token, cacheKey: named.cacheKey };
    }

    // ---------------------------------------------------------------- messages from the chat

    #receive(event) {
      if (
        this.#destroyed ||
        !this.#page ||
        event.source !== this.#frame.contentWindow ||
        event.origin !== this.#page.origin
      ) {
        return;
      }
      const data = event.data;
      if (!data || typeof data !== 'object' || typeof data.type !== 'string') {
        return;
      }
      const sessionId = typeof data.sessionId === 'string' && ID.test(data.sessionId) ? data.sessionId : null;
      if (sessionId) {
        this.#sessionId = sessionId;
      }
      switch (data.type) {
        case 'embed:started':
          if (data.needsToken === true) {
            this.#handOver();
          }
          break;
        case 'embed:ready':
          this.#emit({ type: 'ready', sessionId });
          break;
        case 'embed:message':
          if (typeof data.id === 'string') {
            this.#emit({
              type: 'message',
              id: data.id,
              role: 'assistant',
              sessionId,
              createdAt: typeof data.createdAt === 'string' ? data.createdAt : null
            });
          }
          break;
        case 'embed:token-expired':
          this.#emit({ type: 'token-expired', sessionId });
          this.#expired();
          break;
        case 'embed:error':
          this.#emit({
            type: 'error',
            code: ERRORS[data.code] ? data.code : 'error',
            message: ERRORS[data.code] || 'the chat failed',
            sessionId
          });
          break;
        case 'embed:escape':
          this.close();
          break;
        default:
          break;
      }
    }

    /**
     * The chat says its token expired. A renewal that just happened may have crossed its request:
     * post that token once more; otherwise (or if the chat asks again for it) fetch a new one.
     */
    #expired() {
      if (this.#renewing) {
        return;
      }
      const recent = this.#token && Date.now() - this.#renewedAt < REPOST_WINDOW_MS;
      if (recent && this.#repostedFor !== this.#token) {
        this.#repostedFor = this.#token;
        this.#handOver();
        return;
      }
      this.#renew('expired');
    }

    #emit(event) {
      if (this.#destroyed || typeof this.#opts.onEvent !== 'function') {
        return;
      }
      try {
        this.#opts.onEvent(Object.freeze(event));
      } catch (e) {
        console.error('Embed onEvent threw', e);
      }
    }
  }

  const ERRORS = {
    ended: 'the conversation has ended',
    'link-expired': 'the chat link has expired or was already used',
    'no-session': 'the credential names no session'
  };

  Object.defineProperty(window, 'Embed', {
    value: Object.freeze({ mount, version: VERSION }),
    configurable: false,
    enumerable: true,
    writable: false
  });
})();
