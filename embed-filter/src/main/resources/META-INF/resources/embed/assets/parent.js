/*
 * The page's conversation with the window that frames it (postMessage), both ways:
 *
 * in:  {type: "embed:token", token}        a credential (first hand-over, or a fresh one)
 *      {type: "embed:cache-key", cacheKey} flow D: a new link's key, redeemed by this page
 *      {type: "embed:focus"}                the parent showed the chat: focus the message box
 *      taken only from window.parent and only from an origin the server listed for this page.
 * out: {type: "embed:started", needsToken}  the page runs and listens
 *      {type: "embed:ready", sessionId}     the conversation is loaded
 *      {type: "embed:message", id, role, sessionId, createdAt}
 *                                           an assistant message arrived (never its text: see below)
 *      {type: "embed:token-expired", sessionId}
 *      {type: "embed:error", code, sessionId}  "ended", "link-expired", "no-session"
 *      {type: "embed:escape"}               Escape was pressed in the chat (a launcher closes)
 *      always to an exact origin (never "*"): the one that handed the page its token, else the
 *      parent's origin as the browser reports it (location.ancestorOrigins), else each exact
 *      allowed origin in turn (the browser delivers to the one that matches).
 *
 * What the parent learns is what it needs to drive its own UI (an unread badge, a renewal), not
 * the conversation: the person's words and the agent's answers stay in this frame, out of reach of
 * every other script on the embedding page.
 */
import { CACHE_KEY, isToken } from './config.js';

const state = { origins: [], handedBy: null, framed: false };
const handlers = { onToken: () => false, onCacheKey: () => {}, onFocus: () => {} };

/**
 * Starts listening. `origins` are the CSP source expressions the server allows to frame this page;
 * onToken(token) answers whether it took the token; onCacheKey(key) redeems a flow D key;
 * onFocus() focuses the message box.
 */
export function listenToParent(origins, framed, { onToken, onCacheKey, onFocus }) {
  state.origins = origins;
  state.framed = framed;
  handlers.onToken = onToken;
  handlers.onCacheKey = onCacheKey;
  handlers.onFocus = onFocus;
  if (framed) {
    window.addEventListener('message', receive);
  }
}

function receive(event) {
  if (event.source !== window.parent || !originAllowed(event.origin)) {
    return;
  }
  const data = event.data;
  if (!data || typeof data !== 'object') {
    return;
  }
  if (data.type === 'embed:token' && isToken(data.token)) {
    if (handlers.onToken(data.token)) {
      state.handedBy = event.origin;
    }
  } else if (data.type === 'embed:cache-key' && typeof data.cacheKey === 'string' && CACHE_KEY.test(data.cacheKey)) {
    state.handedBy = event.origin;
    handlers.onCacheKey(data.cacheKey);
  } else if (data.type === 'embed:focus') {
    handlers.onFocus();
  }
}

/** Posts `message` to the parent window, at exact origins only; nothing when there is no parent. */
export function postToParent(message) {
  if (!state.framed) {
    return;
  }
  for (const target of targets()) {
    try {
      window.parent.postMessage(message, target);
    } catch {
      // A malformed origin: nothing to deliver to.
    }
  }
}

function targets() {
  if (state.handedBy) {
    return [state.handedBy];
  }
  const ancestors = location.ancestorOrigins;
  if (ancestors && ancestors.length) {
    return originAllowed(ancestors[0]) ? [ancestors[0]] : [];
  }
  const exact = [];
  for (const pattern of state.origins) {
    if (pattern === "'self'") {
      exact.push(location.origin);
    } else if (!pattern.includes('*')) {
      try {
        exact.push(new URL(pattern).origin);
      } catch {
        // not an origin
      }
    }
  }
  return exact;
}

/** Whether `origin` matches one of the allowed CSP source expressions. */
export function originAllowed(origin) {
  if (typeof origin !== 'string' || origin === 'null') {
    return false;
  }
  let url;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return state.origins.some((pattern) => originMatches(pattern, url, origin));
}

/** CSP source-expression matching of an origin: scheme, host (with *.), port (with :*). */
function originMatches(pattern, url, origin) {
  if (pattern === "'self'") {
    return origin === location.origin;
  }
  const m = /^(https?):\/\/(\*\.)?([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\*|\d{1,5}))?$/i.exec(pattern);
  if (!m || url.protocol !== m[1].toLowerCase() + ':') {
    return false;
  }
  const host = m[3].toLowerCase();
  const hostname = url.hostname.toLowerCase();
  if (m[2] ? !hostname.endsWith('.' + host) : hostname !== host) {
    return false;
  }
  const defaultPort = m[1].toLowerCase() === 'https' ? '443' : '80';
  return m[4] === '*' || (url.port || defaultPort) === (m[4] || defaultPort);
}
