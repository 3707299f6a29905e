/*
 * The embed widget (DESIGN §3.2, flow C). Put this where the chat should appear:
 *
 *   <script src="https://your-app.example/embed/widget.js"
 *           data-agent="support" data-token="<visitor token from your backend>"
 *           data-height="600" data-width="100%" data-title="Chat with support"></script>
 *
 * It becomes an iframe of /embed/agents/{agent}?token=... right where the script stands (the page
 * removes the token from its own address at once). Sizes take a number (pixels) or a CSS length
 * in px, %, em, rem, vh or vw; the defaults are 100% wide and 600 px high.
 *
 * When the visitor token runs out, the iframe asks for a new one: the widget fires a bubbling
 * "embed:token-expired" event on the iframe whose detail.refresh(token) hands the chat a fresh
 * token from your backend, without a reload:
 *
 *   document.addEventListener('embed:token-expired', async (event) => {
 *     const { token } = await (await fetch('/my-backend/visitor-token', { method: 'POST' })).json();
 *     event.detail.refresh(token);
 *   });
 */
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || !script.src) {
    return;
  }
  var ID = /^[A-Za-z0-9._-]{1,128}$/;
  var JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
  var LENGTH = /^\d{1,5}(\.\d{1,3})?(px|%|em|rem|vh|vw)?$/;

  var source = new URL(script.src, document.baseURI);
  var origin = source.origin;
  var base = source.href.replace(/\/embed\/widget\.js(?:[?#].*)?$/, '');
  var agent = script.getAttribute('data-agent') || '';
  var token = script.getAttribute('data-token') || '';
  script.removeAttribute('data-token'); // the DOM need not keep it
  if (!ID.test(agent)) {
    if (window.console) {
      console.error('embed widget: data-agent must be an agent id (letters, digits, ".", "_" or "-")');
    }
    return;
  }
  if (token && !JWT.test(token)) {
    if (window.console) {
      console.error('embed widget: data-token is not a token; ask your backend for a visitor token');
    }
    token = '';
  }

  var frame = document.createElement('iframe');
  frame.src =
    base + '/embed/agents/' + encodeURIComponent(agent) + (token ? '?token=' + encodeURIComponent(token) : '');
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
  script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener('message', function (event) {
    if (event.source !== frame.contentWindow || event.origin !== origin) {
      return;
    }
    var data = event.data;
    if (!data || data.type !== 'embed:token-expired') {
      return;
    }
    frame.dispatchEvent(
      new CustomEvent('embed:token-expired', {
        bubbles: true,
        detail: {
          agent: agent,
          sessionId: typeof data.sessionId === 'string' ? data.sessionId : null,
          refresh: function (fresh) {
            if (typeof fresh === 'string' && JWT.test(fresh) && frame.contentWindow) {
              frame.contentWindow.postMessage({ type: 'embed:token', token: fresh }, origin);
            }
          }
        }
      })
    );
  });

  function size(value, fallback) {
    if (!value) {
      return fallback;
    }
    value = String(value).trim();
    if (!LENGTH.test(value)) {
      return fallback;
    }
    return /^[\d.]+$/.test(value) ? value + 'px' : value;
  }
})();
