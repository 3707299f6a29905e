/*
 * What the page tells the person about the connection: the state line in the header, the notice
 * above the composer, and the polite live region that reads short announcements to screen readers.
 * Other modules report facts (update({connected: true})); this module alone decides what they mean.
 */
import { text } from './strings.js';

const facts = {
  unavailable: false,
  ended: false,
  needToken: false,
  expired: false,
  sendRetrying: false,
  receiveRetrying: false,
  connected: false,
  sending: false
};
let shown = null;
let el = null;

export function bindStatus(doc) {
  el = {
    state: doc.getElementById('state'),
    stateText: doc.getElementById('state-text'),
    notice: doc.getElementById('notice'),
    announcer: doc.getElementById('announcer')
  };
}

/** Records facts (any of the keys above) and shows the state they add up to. */
export function update(changes) {
  Object.assign(facts, changes);
  render();
}

export function isConnected() {
  return facts.connected;
}

/** The state shown now: online, connecting, sending, retrying, refreshing, expired, ended, unavailable. */
export function shownState() {
  return shown;
}

function render() {
  let state;
  if (facts.unavailable) {
    state = 'unavailable';
  } else if (facts.ended) {
    state = 'ended';
  } else if (facts.needToken && facts.expired) {
    state = 'expired';
  } else if (facts.needToken && facts.connected) {
    state = 'refreshing';
  } else if (facts.sendRetrying || facts.receiveRetrying) {
    state = 'retrying';
  } else if (!facts.connected) {
    state = 'connecting';
  } else if (facts.sending) {
    state = 'sending';
  } else {
    state = 'online';
  }
  if (state === shown || !el) {
    return;
  }
  if (state === 'retrying') {
    announce(text('announceRetrying'));
  }
  shown = state;
  el.state.dataset.state = state;
  el.stateText.textContent = text(STATE_TEXT[state]);
}

const STATE_TEXT = {
  unavailable: 'stateUnavailable',
  ended: 'stateEnded',
  expired: 'stateExpired',
  refreshing: 'stateRefreshing',
  retrying: 'stateRetrying',
  connecting: 'stateConnecting',
  sending: 'stateSending',
  online: 'stateOnline'
};

/** Reads `message` to screen readers once (the region keeps the last three). */
export function announce(message) {
  const p = document.createElement('p');
  p.textContent = message;
  el.announcer.appendChild(p);
  while (el.announcer.childNodes.length > 3) {
    el.announcer.removeChild(el.announcer.firstChild);
  }
}

export function showNotice(message) {
  el.notice.textContent = message;
  el.notice.hidden = false;
}

/** Hides the notice, unless the conversation is over (its notice then stays). */
export function hideNotice() {
  if (!facts.ended && !facts.unavailable) {
    el.notice.hidden = true;
    el.notice.textContent = '';
  }
}
