/*
 * The page's credential: the one token it holds (in this module's memory only: never in storage,
 * a URL or a log), a generation counter so that an answer to a request made with an older token
 * cannot revoke a newer one, and the life cycle around it: waiting for the first token, asking the
 * parent for a fresh one before it expires or when it is refused, and telling the person when none
 * comes.
 */
import { isToken } from './config.js';
import { adoptSession } from './session.js';
import { announce, hideNotice, isConnected, showNotice, update } from './status.js';
import { text } from './strings.js';

const ASK_AGAIN_AFTER_MS = 10000;
const ASK_REPEAT_MS = 30000;
const HAND_OVER_WAIT_MS = 10000;

const state = {
  token: null,
  gen: 0,
  needed: false,
  expired: false,
  waiters: [],
  refreshTimer: 0,
  askTimer: 0
};

const options = {
  /** Flow A: the page's session; a token for another one is refused. */
  expectedSession: null,
  /** Whether a parent window exists to ask. */
  framed: true,
  /** Posts embed:token-expired to the parent. */
  ask: () => {},
  /** A token named its agent (flow C): show it. */
  onAgent: () => {},
  /** A new token is in use: wake whoever waits on the network. */
  onChange: () => {}
};

export function configureCredential(changes) {
  Object.assign(options, changes);
}

/** The token's claims, decoded without verification (the server verifies), or null. */
export function claimsOf(token) {
  try {
    let part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    part += '==='.slice((part.length + 3) % 4);
    const binary = atob(part);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

/** The token to send now and its generation; the token is null while there is none. */
export function current() {
  return { token: state.token, gen: state.gen };
}

/** Whether a request can be made now. */
export function hasUsableToken() {
  return state.token !== null && !state.needed;
}

/** Whether this page may take `token`: well-formed, new, and for its own session (flow A). */
export function acceptable(token) {
  if (!isToken(token) || (token === state.token && !state.needed)) {
    return false;
  }
  const claims = claimsOf(token);
  return !(options.expectedSession && claims && claims.sid && claims.sid !== options.expectedSession);
}

/**
 * Starts using `token`. `remainingSeconds`, when the server said so (flow D's redemption),
 * overrides the lifetime read from the token.
 */
export function useToken(token, remainingSeconds) {
  const claims = claimsOf(token);
  const wasWaiting = state.needed;
  state.token = token;
  state.gen++;
  state.needed = false;
  state.expired = false;
  clearTimeout(state.askTimer);
  if (claims && typeof claims.sid === 'string') {
    adoptSession(claims.sid);
  }
  if (claims && typeof claims.agt === 'string') {
    options.onAgent(claims.agt);
  }
  scheduleRefresh(claims, remainingSeconds);
  if (wasWaiting && isConnected()) {
    announce(text('announceReconnected'));
  }
  hideNotice();
  update({ needToken: false, expired: false });
  const waiters = state.waiters;
  state.waiters = [];
  waiters.forEach((resolve) => resolve());
  options.onChange();
}

/** Resolves once a usable token is there. */
export function tokenReady() {
  if (hasUsableToken()) {
    return Promise.resolve();
  }
  return new Promise((resolve) => state.waiters.push(resolve));
}

/**
 * No token came with the page: wait for the parent to hand one over (embed:token). If none comes,
 * ask for it as for an expired one, and then tell the person.
 */
export function awaitHandOver() {
  if (state.token !== null || state.needed) {
    return;
  }
  state.needed = true;
  update({ needToken: true });
  clearTimeout(state.askTimer);
  state.askTimer = setTimeout(() => {
    state.askTimer = 0;
    if (state.needed) {
      state.needed = false;
      tokenRejected(state.gen);
    }
  }, HAND_OVER_WAIT_MS);
}

/** A request made with token generation `gen` was refused (401): ask the parent for a fresh token. */
export function tokenRejected(gen) {
  if (gen !== state.gen || state.needed) {
    return;
  }
  state.needed = true;
  update({ needToken: true });
  if (!options.framed) {
    expire(text('noticeExpiredNoParent'));
    return;
  }
  options.ask();
  clearTimeout(state.askTimer);
  state.askTimer = setTimeout(function again() {
    if (!state.needed) {
      return;
    }
    expire(text('noticeExpiredReload'));
    options.ask();
    state.askTimer = setTimeout(again, ASK_REPEAT_MS);
  }, ASK_AGAIN_AFTER_MS);
}

function expire(notice) {
  if (!state.expired) {
    state.expired = true;
    announce(text('announceExpired'));
  }
  showNotice(notice);
  update({ expired: true });
}

/**
 * Before the token runs out, ask for the next one. Durations only (exp - iat, or what the server
 * said), measured from now: the browser's clock and the server's may differ.
 */
function scheduleRefresh(claims, remainingSeconds) {
  clearTimeout(state.refreshTimer);
  const life =
    typeof remainingSeconds === 'number'
      ? remainingSeconds
      : claims && typeof claims.exp === 'number' && typeof claims.iat === 'number'
        ? claims.exp - claims.iat
        : 0;
  if (!(life > 0) || !options.framed) {
    return;
  }
  const lead = Math.min(60, Math.max(5, life * 0.1));
  const ms = Math.max(5, life - lead) * 1000;
  if (ms < 2147483647) {
    state.refreshTimer = setTimeout(() => options.ask(), ms);
  }
}
