/*
 * The composer and the person's outgoing messages: Enter sends (Shift+Enter for a new line), each
 * message shows at once with its delivery state (sending, waiting for a token, retrying with
 * backoff and a "Retry now" button, sent, failed), and messages go out one at a time, in order.
 */
import { Alarm, backoffMs, call, retryAfterMs, sessionPath } from './api.js';
import { MAX_MESSAGE } from './config.js';
import { current, hasUsableToken, tokenReady, tokenRejected } from './credential.js';
import { endSession, isEnded, sessionId } from './session.js';
import { showNotice, update } from './status.js';
import { text } from './strings.js';
import { appendItem, itemOf, messageItem, register, updateTyping } from './transcript.js';

const SEND_TIMEOUT_MS = 20000;

/** Messages typed here and not yet known to be stored: {text, id, li, tries}. */
const outbox = [];
const state = { draining: false, onDelivered: () => {} };
let el = null;

/** Wires the form; `onDelivered` runs after each message is stored (to wake the receiver). */
export function bindComposer(doc, onDelivered) {
  el = {
    form: doc.getElementById('composer'),
    input: doc.getElementById('input'),
    send: doc.getElementById('send'),
    counter: doc.getElementById('counter')
  };
  state.onDelivered = onDelivered;
  el.form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  el.input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submit();
    }
  });
  el.input.addEventListener('input', () => {
    autosize();
    updateCounter();
  });
}

/** No more sending: the conversation ended or the page cannot run. */
export function disableComposer() {
  el.input.disabled = true;
  el.send.disabled = true;
  el.input.placeholder = text('messagePlaceholderEnded');
}

/** Moves focus to the message box (the embedding page just showed the chat). */
export function focusComposer() {
  if (!el.input.disabled) {
    el.input.focus();
  }
}

/** Moves the messages not yet stored to the end: they will go to the session that starts there. */
export function moveUnsentToEnd() {
  for (const item of outbox) {
    if (!item.id) {
      appendItem(item.li, true);
    }
  }
}

/** Marks every message not yet stored as not sent: the conversation has ended. */
export function failUnsent() {
  for (const item of outbox) {
    if (!item.id) {
      setDelivery(item, 'failed', text('deliveryEnded'));
    }
  }
}

/**
 * The person's own message, as read back from the server: the bubble typed here takes its id,
 * instead of a copy being shown. Answers whether one did.
 */
export function adoptOwn(id, content) {
  const item = outbox.find((candidate) => !candidate.id && candidate.text === content);
  if (!item) {
    return false;
  }
  item.id = id;
  register(id, item.li);
  setDelivery(item, 'sent');
  return true;
}

function submit() {
  if (isEnded()) {
    return;
  }
  const message = el.input.value.trim();
  if (!message) {
    return;
  }
  if (Array.from(message).length > MAX_MESSAGE) {
    showNotice(text('noticeTooLong'));
    return;
  }
  el.input.value = '';
  autosize();
  updateCounter();
  const item = { text: message, id: null, li: messageItem('user', message, null), tries: 0 };
  outbox.push(item);
  setDelivery(item, hasUsableToken() ? 'sending' : 'waiting');
  appendItem(item.li, true);
  drain();
}

async function drain() {
  if (state.draining) {
    return;
  }
  state.draining = true;
  try {
    while (outbox.length && !isEnded()) {
      const item = outbox[0];
      if (!item.id) {
        await deliver(item);
      }
      outbox.shift();
    }
  } finally {
    state.draining = false;
    update({ sending: false });
  }
}

async function deliver(item) {
  for (;;) {
    if (isEnded()) {
      setDelivery(item, 'failed', text('deliveryEnded'));
      return;
    }
    if (!hasUsableToken()) {
      setDelivery(item, 'waiting');
      await tokenReady();
      continue;
    }
    if (item.id) {
      return; // read back from the session before its POST answered
    }
    setDelivery(item, 'sending');
    update({ sending: true });
    let result;
    try {
      result = await call(
        'POST',
        sessionPath(sessionId()) + '/messages',
        current(),
        { message: item.text },
        SEND_TIMEOUT_MS
      );
    } catch {
      update({ sending: false });
      item.tries++;
      await retryLater(item, backoffMs(item.tries));
      continue;
    }
    update({ sending: false });
    if (result.status === 202 || result.status === 200) {
      delivered(item, result.data && result.data.messageId);
      return;
    }
    const fromCurrentToken = result.gen === current().gen;
    if (result.status === 401) {
      tokenRejected(result.gen);
    } else if (result.status === 429) {
      await retryLater(item, retryAfterMs(result));
    } else if (result.status >= 500) {
      item.tries++;
      await retryLater(item, backoffMs(item.tries));
    } else if ((result.status === 403 || result.status === 404) && fromCurrentToken) {
      endSession('ended');
      return;
    } else if (fromCurrentToken) {
      const reason =
        result.data && typeof result.data.error_description === 'string'
          ? result.data.error_description
          : text('deliveryRefusedDefault');
      setDelivery(item, 'failed', text('deliveryRefused', { reason }));
      return;
    }
  }
}

function delivered(item, messageId) {
  if (typeof messageId === 'string' && !item.id) {
    const known = itemOf(messageId);
    if (known && known !== item.li) {
      item.li.remove(); // the receiver showed it first
    } else {
      item.id = messageId;
      register(messageId, item.li);
    }
  }
  item.id = item.id || messageId || 'sent';
  setDelivery(item, 'sent');
  updateTyping();
  state.onDelivered();
}

/** Waits `ms` before the next attempt, counting down on the message, with a "Retry now" button. */
function retryLater(item, ms) {
  update({ sendRetrying: true });
  const alarm = new Alarm();
  const until = Date.now() + ms;
  const countdown = () => {
    const seconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
    item.li.querySelector('.delivery-text').textContent = text('deliveryRetryingIn', { seconds });
  };
  setDelivery(item, 'retrying', '', () => alarm.wake());
  countdown();
  const tick = setInterval(countdown, 1000);
  return alarm.sleep(ms).then(() => {
    clearInterval(tick);
    update({ sendRetrying: false });
  });
}

const DELIVERY_TEXT = { sending: 'deliverySending', waiting: 'deliveryWaiting' };

function setDelivery(item, state, message, retryNow) {
  item.li.dataset.delivery = state;
  const slot = item.li.querySelector('.delivery');
  const label = document.createElement('span');
  label.className = 'delivery-text';
  label.textContent = message || (DELIVERY_TEXT[state] ? text(DELIVERY_TEXT[state]) : '');
  slot.replaceChildren(label);
  if (retryNow) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'retry-now';
    button.textContent = text('retryNow');
    button.addEventListener('click', retryNow);
    slot.append(' · ', button);
  }
}

function autosize() {
  el.input.style.height = 'auto';
  el.input.style.height = Math.min(el.input.scrollHeight + 2, 160) + 'px';
}

function updateCounter() {
  const length = el.input.value.length;
  el.counter.hidden = length < MAX_MESSAGE - 1000;
  el.counter.textContent = el.counter.hidden ? '' : text('counter', { count: length.toLocaleString() });
}
