/*
 * The hosted chat page of DESIGN §6: ES modules, no build step. This module starts the page; the
 * others each own one concern:
 *
 *   strings.js     every user-visible text
 *   config.js      the page configuration and the credential in the page's own address
 *   session.js     which session is shown, and whether it has ended
 *   status.js      the connection state, the notice and screen-reader announcements
 *   credential.js  the token (module memory only), its renewal and the waiting for one
 *   parent.js      postMessage with the embedding window, origin-checked both ways
 *   api.js         HTTP: same-origin fetches with the bearer header; backoff timing
 *   receiver.js    reading messages: the event stream, else long polls
 *   events.js      the event stream's wire format, read with fetch
 *   transcript.js  the conversation on screen
 *   composer.js    typing and sending
 *   theme.js       flow D's theme settings
 *
 * Credentials: flow A's token arrives in the URL fragment (#token=), flow C's in the query
 * (?token=), and both are removed from the address before anything else runs; flow D's page
 * redeems its cache key. A page opened without one waits for the parent to hand it over
 * ({type: "embed:token", token}). The page runs only inside a frame unless the server allows
 * top-level pages (a webview): opened directly, it shows why and sends nothing.
 */
import { Alarm, backoffMs, configureApi, redeemCacheKey } from './api.js';
import { adoptOwn, bindComposer, disableComposer, failUnsent, focusComposer, moveUnsentToEnd } from './composer.js';
import { isToken, readConfig, takeTokenFromAddress } from './config.js';
import { acceptable, awaitHandOver, configureCredential, useToken } from './credential.js';
import { listenToParent, postToParent } from './parent.js';
import { configureReceiver, receive, wakeReceiver } from './receiver.js';
import { adoptSession, endSession, onSessionEnd, onSessionSwitch, sessionId } from './session.js';
import { announce, bindStatus, showNotice, update } from './status.js';
import { fillDocument, text } from './strings.js';
import { applySettings } from './theme.js';
import { bindTranscript, showDivider, showStartMessage, updateTyping } from './transcript.js';

const REDEEM_ATTEMPTS = 6;

// Before anything else: no credential stays in the address bar or the session history.
const config = readConfig(document);
const addressToken = takeTokenFromAddress(config, location, history);
const framed = window.top !== window;

start();

async function start() {
  fillDocument(document);
  document.title = text('title');
  document.getElementById('avatar').textContent = text('agentDefault').charAt(0);
  bindStatus(document);
  bindTranscript(document, adoptOwn);
  bindComposer(document, wakeReceiver);
  onSessionEnd(ended);
  onSessionSwitch(() => {
    showDivider();
    moveUnsentToEnd();
  });

  if (!config) {
    showNotice(text('noticeIncomplete'));
    endSession('incomplete');
    return;
  }

  if (!framed && !config.topLevel) {
    // Opened directly (a link someone was sent): a chat outside the site that embeds it lets
    // whoever sent the link read what is typed into it. Nothing is fetched, redeemed or posted.
    showNotice(text('noticeTopLevel'));
    update({ unavailable: true });
    endSession('unavailable');
    return;
  }

  configureApi(config.base);
  configureReceiver(config.events, config.eventsIdleSeconds);
  configureCredential({
    expectedSession: config.flow === 'chat' ? config.id : null,
    framed,
    ask: () => postToParent({ type: 'embed:token-expired', sessionId: sessionId() }),
    onAgent: setAgentName,
    onChange: wakeReceiver
  });
  listenToParent(config.parentOrigins, framed, {
    onToken: takeToken,
    onCacheKey: redeemFromParent,
    onFocus: focusComposer
  });
  window.addEventListener('online', wakeReceiver);
  document.addEventListener('keydown', (event) => {
    // Keys pressed in a frame never reach the embedding page: tell it, so that a launcher closes.
    if (event.key === 'Escape' && !event.isComposing) {
      postToParent({ type: 'embed:escape' });
    }
  });

  let token = addressToken;
  let remaining;
  if (config.flow === 'chat') {
    adoptSession(config.id);
  } else if (config.flow === 'agents') {
    setAgentName(config.id);
  } else {
    const answer = await redeemLink(config.id);
    if (answer) {
      const start = applySettings(answer.settings, document.documentElement);
      if (start) {
        showStartMessage(start);
      }
      token = answer.token;
      adoptSession(answer.session_id);
      remaining = typeof answer.expires_in === 'number' ? answer.expires_in : undefined;
    } else {
      showNotice(text('noticeLinkExpired'));
      postToParent({ type: 'embed:error', code: 'link-expired' });
    }
  }
  const usable = token !== null && token !== undefined && acceptable(token);
  postToParent({ type: 'embed:started', needsToken: !usable });
  if (usable) {
    useToken(token, remaining);
  } else {
    awaitHandOver();
  }
  receive();
}

/** A token from the parent (first hand-over or renewal); answers whether the page took it. */
function takeToken(token) {
  if (!acceptable(token)) {
    return false;
  }
  useToken(token);
  return true;
}

/** Flow D: a new link's cache key from the parent, redeemed in this same frame. */
async function redeemFromParent(cacheKey) {
  if (config.flow !== 'iframe') {
    return;
  }
  const answer = await redeemLink(cacheKey);
  if (!answer) {
    postToParent({ type: 'embed:error', code: 'link-expired', sessionId: sessionId() });
    return;
  }
  applySettings(answer.settings, document.documentElement);
  useToken(answer.token, typeof answer.expires_in === 'number' ? answer.expires_in : undefined);
}

/** Flow D: the cache key's token and settings, or null (unknown, used or expired). */
async function redeemLink(cacheKey) {
  const alarm = new Alarm();
  for (let failures = 0; failures < REDEEM_ATTEMPTS;) {
    let result = null;
    try {
      result = await redeemCacheKey(cacheKey);
    } catch {
      result = null;
    }
    if (result && result.status === 200 && result.data && typeof result.data === 'object') {
      const answer = result.data.data && typeof result.data.data === 'object' ? result.data.data : result.data;
      return isToken(answer.token) ? answer : null;
    }
    if (result && result.status !== 429 && result.status < 500) {
      return null;
    }
    failures++;
    update({ receiveRetrying: true });
    await alarm.sleep(backoffMs(failures));
    update({ receiveRetrying: false });
  }
  return null;
}

function ended(reason) {
  failUnsent();
  disableComposer();
  update({ ended: true });
  if (reason === 'ended') {
    showNotice(text('noticeEnded'));
    announce(text('announceEnded'));
    postToParent({ type: 'embed:error', code: 'ended', sessionId: sessionId() });
  }
  updateTyping();
}

function setAgentName(id) {
  if (typeof id !== 'string' || !id) {
    return;
  }
  let name = id.replace(/[._-]+/g, ' ').trim();
  name = name.charAt(0).toUpperCase() + name.slice(1);
  document.getElementById('agent-name').textContent = name;
  document.getElementById('avatar').textContent = name.charAt(0);
  document.title = text('titleAgent', { name });
}
