/*
 * Receiving: reads the session's messages and keeps reading (long polls of
 * GET /api/v1/embed/chat-sessions/{id}?after=&wait=), with backoff when the network fails, and
 * hands every message to the transcript, which shows each once. Tells the parent when the
 * conversation is loaded and when an assistant message arrives (ids only, never text).
 */
import { Alarm, backoffMs, call, retryAfterMs, sessionPath } from './api.js';
import { current, tokenReady, tokenRejected } from './credential.js';
import { postToParent } from './parent.js';
import { endSession, isEnded, onSessionSwitch, sessionId } from './session.js';
import { announce, isConnected, showNotice, shownState, update } from './status.js';
import { text } from './strings.js';
import { setResponding, showMessages } from './transcript.js';

const POLL_WAIT_SECONDS = 25;

const alarm = new Alarm();
const state = {
  /** The newest finished message read: where the next read starts. */
  lastId: null,
  /** The session whose history is on screen: reads of it wait for news. */
  loadedFor: null,
  /** The session the parent was told is ready. */
  readyFor: null,
  /** Cancels the read in flight (a long poll of the session left behind). */
  inFlight: null
};

onSessionSwitch(() => {
  state.lastId = null;
  update({ connected: false });
  if (state.inFlight) {
    state.inFlight.abort();
  }
  alarm.wake();
});

/** Cuts a wait short: a token arrived, a message was sent, the network came back. */
export function wakeReceiver() {
  alarm.wake();
}

/** Reads until the conversation ends. */
export async function receive() {
  let failures = 0;
  while (!isEnded()) {
    await tokenReady();
    const sid = sessionId();
    if (!sid) {
      showNotice(text('noticeNoSession'));
      postToParent({ type: 'embed:error', code: 'no-session' });
      endSession('no-session');
      return;
    }
    const query = new URLSearchParams();
    if (state.lastId) {
      query.set('after', state.lastId);
    }
    if (state.loadedFor === sid) {
      query.set('wait', String(POLL_WAIT_SECONDS)); // the history is on screen: wait for news
    }
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
        failures++;
        await backoff(failures);
      }
      continue;
    } finally {
      state.inFlight = null;
    }
    if (sid !== sessionId()) {
      continue; // the parent moved us to another session meanwhile
    }
    const fromCurrentToken = result.gen === current().gen;
    if (result.status === 200 && result.data && Array.isArray(result.data.messages)) {
      const recovered = failures > 0 || !isConnected();
      const wasRetrying = shownState() === 'retrying';
      failures = 0;
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
      return;
    } else if (result.status === 429) {
      await alarm.sleep(retryAfterMs(result));
    } else if (fromCurrentToken) {
      failures++;
      await backoff(failures);
    }
  }
}

/** Finished messages read from session `sid`, oldest first, with the session's status. */
function accept(sid, messages, status) {
  for (const m of messages) {
    if (m && typeof m.id === 'string') {
      state.lastId = m.id;
    }
  }
  update({ connected: true });
  setResponding(status === 'responding');
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
