/*
 * The embed widget (DESIGN §3.2, flow C). Put this where the chat should appear:
 *
 *   <script src="https://your-app.example/embed/widget.js"
 *           data-agent="support" data-token="<visitor token from your backend>"
 *           data-height="600" data-width="100%" data-title="Chat with support"></script>
 *
 * It becomes an iframe of /embed/agents/{agent}/{session} right where the script stands (the
 * session id, read from the token, tells the server which origins may frame the chat; it is no
 * credential). The visitor token never enters a URL: the frame is created without it, and the
 * widget hands it over with
 * postMessage once the chat has loaded (to the chat's exact origin, never "*"), so no server log,
 * proxy, history entry or Referer ever sees it. The data-token attribute is removed from the DOM
 * once read. Sizes take a number (pixels) or a CSS length in px, %, em, rem, vh or vw; the
 * defaults are 100% wide and 600 px high.
 *
 * When the visitor token runs out (visitor tokens live one hour), the chat asks for a new one: the
 * widget fires a bubbling "embed:token-expired" event on the iframe whose detail.refresh(token)
 * hands the chat a fresh token from your backend, without a reload:
 *
 *   document.addEventListener('embed:token-expired', async (event) => {
 *     const { data } = await (await fetch('/my-backend/visitor-token', { method: 'POST' })).json();
 *     event.detail.refresh(data.token);
 *   });
 *
 * A data-token cannot refresh itself: the widget never posts the same token again after the chat
 * said it expired. Without a listener that calls refresh(), the chat keeps the conversation on
 * screen, tells the visitor the session has expired and to reload the page, and a reload (which
 * renders a new data-token from your backend) continues. Embed.mount() of /embed/sdk.js renews by
 * itself through a fetchToken function.
 */
(function () {
  'use strict';

  const script = document.currentScript;
  if (!script || !script.src) {
    return;
  }
  const ID = /^[A-Za-z0-9._-]{1,128}$/;
  const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
  const LENGTH = /^\d{1,5}(\.\d{1,3})?(px|%|em|rem|vh|vw)?$/;

  const source = new URL(script.src, document.baseURI);
  const origin = source.origin;
  const base = source.href.replace(/\/embed\/widget\.js(?:[?#].*)?$/, '');
  const agent = script.getAttribute('data-agent') || '';
  let token = script.getAttribute('data-token') || '';
  script.removeAttribute('data-token'); // the DOM need not keep it
  if (!ID.test(agent)) {
    console.error('embed widget: data-agent must be an agent id (letters, digits, ".", "_" or "-")');
    return;
  }
  if (token && (!JWT.test(token) || token.length > 8192)) {
    console.error('embed widget: data-token is not a token; ask your backend for a visitor token');
    token = '';
  }

  const frame = document.createElement('iframe');
  const session = sessionOf(token);
  frame.src = base + '/embed/agents/' + encodeURIComponent(agent) + (session ? '/' + encodeURIComponent(session) : '');
  frame.title = script.getAttribute('data-title') || 'Chat with ' + agent;
  frame.referrerPolicy = 'no-referrer';
  frame.setAttribute('referrerpolicy', 'no-referrer');
  frame.allow = 'microphone';
  frame.className = 'embed-widget-frame';
  frame.style.display = 'block';
  frame.style.boxSizing = 'border-box';
  frame.style.width = size(script.getAttribute('data-width'), '100%');
  frame.style.height = size(script.getAttribute('data-height'), '600px');
  frame.style.maxWidth = '100%';
  frame.style.border = '1px solid rgba(0, 0, 0, 0.12)';
  frame.style.borderRadius = size(script.getAttribute('data-radius'), '12px');
  frame.style.colorScheme = 'normal';
  // Handed over once the chat has loaded; if the chat is not at `origin` (an error page, another
  // site), the browser delivers nothing.
  frame.addEventListener('load', handOver);
  script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener('message', (event) => {
    if (event.source !== frame.contentWindow || event.origin !== origin) {
      return;
    }
    const data = event.data;
    if (!data || typeof data !== 'object') {
      return;
    }
    if (data.type === 'embed:started' && data.needsToken === true) {
      handOver(); // the chat (re)started without a token: a reload of the frame, say
    } else if (data.type === 'embed:token-expired') {
      frame.dispatchEvent(
        new CustomEvent('embed:token-expired', {
          bubbles: true,
          detail: {
            agent,
            sessionId: typeof data.sessionId === 'string' ? data.sessionId : null,
            refresh(fresh) {
              if (typeof fresh === 'string' && JWT.test(fresh) && fresh.length <= 8192 && fresh !== token) {
                token = fresh;
                handOver();
              }
            }
          }
        })
      );
    }
  });

  function handOver() {
    if (token && frame.contentWindow) {
      frame.contentWindow.postMessage({ type: 'embed:token', token }, origin);
    }
  }

  /** The token's session id (its sid claim), read without verification: the server verifies. */
  function sessionOf(jwt) {
    try {
      const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const json = decodeURIComponent(
        Array.from(atob(part), (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join('')
      );
      const sid = JSON.parse(json).sid;
      return typeof sid === 'string' && ID.test(sid) ? sid : null;
    } catch (e) {
      return null;
    }
  }

  function size(value, fallback) {
    if (!value) {
      return fallback;
    }
    const trimmed = String(value).trim();
    if (!LENGTH.test(trimmed)) {
      return fallback;
    }
    return /^[\d.]+$/.test(trimmed) ? trimmed + 'px' : trimmed;
  }
})();
