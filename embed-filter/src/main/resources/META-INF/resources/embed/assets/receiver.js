/*
 * Receiving: loads the session's history (GET /api/v1/embed/chat-sessions/{id}), then follows it,
 * by the event stream (GET .../events: finished messages, and the reply as it is written) where
 * the server offers it and it works, else by long polls (?after=&wait=), with backoff when the
 * network fails. Every message goes to the transcript, which shows each once, whatever path
 * brought it. Tells the parent when the conversation is loaded and when an assistant message
 * arrives (ids only, never text).
 *
 * The stream resumes after a dropped connection with Last-Event-ID (the last finished message
 * shown). It is given up for long polling when the server has none (404, 405, 501, not an event
 * stream), and for five minutes when it breaks twice in a row without an event, e.g. behind a
 * proxy that buffers it (no byte within eventsIdleSeconds, while the server sends a keep-alive at
 * least every 15 s). After each break a plain read catches up at once.
 */
import { Alarm, backoffMs, call, retryAfterMs, sessionPath } from './api.js';
import { current, tokenReady, tokenRejected } from './credential.js';
import { readEventStream } from './events.js';
import { postToParent } from './parent.js';
import { endSession, isEnded, onSessionSwitch, sessionId } from './session.js';
import { announce, isConnected, showNotice, shownState, update } from './status.js';
import { text } from './strings.js';
import { appendDelta, setResponding, showMessages } from './transcript.js';

const POLL_WAIT_SECONDS = 25;
const STREAM_BREAKS_BEFORE_PAUSE = 2;
const STREAM_PAUSE_MS = 5 * 60 * 1000;
const UNSUPPORTED = [404, 405, 406, 415, 501];

const alarm = new Alarm();
const state = {
  /** The newest finished message read: where the next read starts. */
  lastId: null,
  /** The session whose history is on screen: reads of it wait for news. */
  loadedFor: null,
  /** Read without waiting next time: a stream broke, what it missed is shown at once. */
  catchUp: false,
  /** The session the parent was told is ready. */
  readyFor: null,
  /** Cancels the read in flight (a long poll or stream of the session left behind). */
  inFlight: null
};
const stream = {
  /** Whether the server offers the stream (page configuration) and it has not refused it. */
  enabled: false,
  idleMs: 20000,
  /** Breaks in a row without an event. */
  breaks: 0,
  /** Long polling only until then (a stream that kept breaking). */
  pausedUntil: 0,
  /** The server's retry: field, the wait before reconnecting. */
  retryMs: 1000
};

onSessionSwitch(() => {
  state.lastId = null;
  update({ connected: false });
  if (state.inFlight) {
    state.inFlight.abort();
  }
  alarm.wake();
});

/** Whether to try the event stream, and how long it may stay silent. */
export function configureReceiver(events, idleSeconds) {
  stream.enabled = events === true;
  stream.idleMs = idleSeconds * 1000;
}

/** Cuts a wait short: a token arrived, a message was sent, the network came back. */
export function wakeReceiver() {
  alarm.wake();
}

/** Reads until the conversation ends. */
export async function receive() {
  const poll = { failures: 0 };
  while (!isEnded()) {
    await tokenReady();
    const sid = sessionId();
    if (!sid) {
      showNotice(text('noticeNoSession'));
      postToParent({ type: 'embed:error', code: 'no-session' });
      endSession('no-session');
      return;
    }
    const following = state.loadedFor === sid && !state.catchUp;
    const done =
      following && stream.enabled && Date.now() >= stream.pausedUntil ? await follow(sid) : await read(sid, poll);
    if (done) {
      return;
    }
  }
}

/** One read (a load, a catch-up or a long poll). Answers true when the conversation is over. */
async function read(sid, poll) {
  const query = new URLSearchParams();
  if (state.lastId) {
    query.set('after', state.lastId);
  }
  if (state.loadedFor === sid && !state.catchUp) {
    query.set('wait', String(POLL_WAIT_SECONDS)); // the history is on screen: wait for news
  }
  state.catchUp = false;
  let result;
  const inFlight = new AbortController();
  state.inFlight = inFlight;
  try {
    const search = query.toString();
    result = await call(
      'GET',
      sessionPath(sid) + (search ? '?' + search : ''),
      current(),
      undefined,
      (POLL_WAIT_SECONDS + 15) * 1000,
      inFlight.signal
    );
  } catch {
    if (!inFlight.signal.aborted) {
      poll.failures++;
      await backoff(poll.failures);
    }
    return false;
  } finally {
    state.inFlight = null;
  }
  if (sid !== sessionId()) {
    return false; // the parent moved us to another session meanwhile
  }
  const fromCurrentToken = result.gen === current().gen;
  if (result.status === 200 && result.data && Array.isArray(result.data.messages)) {
    const recovered = poll.failures > 0 || !isConnected();
    const wasRetrying = shownState() === 'retrying';
    poll.failures = 0;
    state.loadedFor = sid;
    accept(sid, result.data.messages, result.data.status);
    if (recovered && wasRetrying) {
      announce(text('announceConnectedAgain'));
    }
  } else if (result.status === 401) {
    tokenRejected(result.gen);
  } else if (result.status === 400 && state.lastId) {
    state.lastId = null; // the cursor fell out of the session's history: read it all again
    state.loadedFor = null;
  } else if ((result.status === 403 || result.status === 404) && fromCurrentToken) {
    endSession('ended');
    return true;
  } else if (result.status === 429) {
    await alarm.sleep(retryAfterMs(result));
  } else if (fromCurrentToken) {
    poll.failures++;
    await backoff(poll.failures);
  }
  return false;
}

/** Follows the session's event stream until it ends or breaks. Answers true when the conversation is over. */
async function follow(sid) {
  const auth = current();
  const inFlight = new AbortController();
  state.inFlight = inFlight;
  const result = await readEventStream({
    path: sessionPath(sid) + '/events',
    auth,
    lastEventId: state.lastId,
    idleMs: stream.idleMs,
    cancel: inFlight.signal,
    onEvent: (event) => onStreamEvent(sid, event),
    onRetry: (ms) => {
      stream.retryMs = Math.min(30000, Math.max(500, ms));
    }
  });
  state.inFlight = null;
  if (result.events > 0) {
    stream.breaks = 0;
  }
  if (result.outcome === 'cancelled' || sid !== sessionId()) {
    return false;
  }
  switch (result.outcome) {
    case 'ended':
      // The session ended or the token expired: a plain read says which (401, 403/404, or 200).
      state.catchUp = true;
      await alarm.sleep(stream.retryMs);
      return false;
    case 'closed':
      if (result.events > 0) {
        await alarm.sleep(stream.retryMs); // a server restart, a load balancer's limit: resume
        return false;
      }
      break;
    case 'status':
      if (result.status === 401) {
        tokenRejected(auth.gen);
        return false;
      }
      if (UNSUPPORTED.includes(result.status) || result.status === 403) {
        // No stream here (or not for this token): long polls from now on; they also tell
        // whether the session itself is gone.
        stream.enabled = false;
        state.catchUp = true;
        return false;
      }
      break;
    default: // idle, failed
      break;
  }
  stream.breaks++;
  state.catchUp = true;
  if (stream.breaks >= STREAM_BREAKS_BEFORE_PAUSE) {
    stream.breaks = 0;
    stream.pausedUntil = Date.now() + STREAM_PAUSE_MS;
  }
  if (result.outcome === 'failed' || (result.outcome === 'status' && result.status >= 500)) {
    await backoff(stream.breaks + 1);
  }
  return false;
}

/** An event of session `sid`'s stream: a finished message, or a piece of a reply being written. */
function onStreamEvent(sid, event) {
  if (sid !== sessionId()) {
    return;
  }
  let data;
  try {
    data = JSON.parse(event.data);
  } catch {
    return;
  }
  if (!data || typeof data !== 'object') {
    return;
  }
  if (event.type === 'message') {
    if (typeof data.id !== 'string' && typeof event.id === 'string') {
      data.id = event.id;
    }
    accept(sid, [data]);
  } else if (event.type === 'delta') {
    appendDelta(data.id, data.delta);
  }
}

/** Finished messages read from session `sid`, oldest first, with the session's status if known. */
function accept(sid, messages, status) {
  for (const m of messages) {
    if (m && typeof m.id === 'string') {
      state.lastId = m.id;
    }
  }
  update({ connected: true });
  if (typeof status === 'string') {
    setResponding(status === 'responding');
  }
  const arrived = showMessages(messages);
  if (state.readyFor !== sid) {
    state.readyFor = sid;
    postToParent({ type: 'embed:ready', sessionId: sid });
    return; // what was there before the page loaded did not "arrive"
  }
  for (const m of arrived) {
    postToParent({
      type: 'embed:message',
      id: m.id,
      role: 'assistant',
      sessionId: sid,
      createdAt: typeof m.createdAt === 'string' ? m.createdAt : null
    });
  }
}

async function backoff(failures) {
  update({ receiveRetrying: true });
  await alarm.sleep(backoffMs(failures));
  update({ receiveRetrying: false });
}
