/*
 * The conversation on screen: one list item per message (all text set with textContent, never as
 * markup), the reply being written (one live bubble per reply id, deltas appended as text), the
 * typing dots, the start message and dividers, and the one announcement per finished agent message.
 */
import { isEnded } from './session.js';
import { announce, isConnected } from './status.js';
import { text } from './strings.js';

/** Messages shown, by id (finished ones, and the person's own once the server named them). */
const shown = new Map();
/** Replies being written, by the id the finished message will have. */
const live = new Map();
const state = { responding: false, adoptOwn: () => false };
let el = null;

export function bindTranscript(doc, adoptOwn) {
  el = {
    conversation: doc.getElementById('conversation'),
    messages: doc.getElementById('messages'),
    empty: doc.getElementById('empty'),
    typing: doc.getElementById('typing')
  };
  state.adoptOwn = adoptOwn;
}

/** A message's list item: who (for screen readers), the bubble, the time and a delivery slot. */
export function messageItem(role, content, createdAt) {
  const li = document.createElement('li');
  li.className = 'msg msg-' + role;
  const who = document.createElement('span');
  who.className = 'sr-only';
  who.textContent = text(role === 'user' ? 'you' : 'agent');
  const bubble = document.createElement('div');
  bubble.className = 'bubble';
  bubble.textContent = content;
  const meta = document.createElement('div');
  meta.className = 'meta';
  const time = document.createElement('time');
  const when = createdAt ? new Date(createdAt) : new Date();
  if (!Number.isNaN(when.getTime())) {
    time.dateTime = when.toISOString();
    time.textContent = when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }
  const delivery = document.createElement('span');
  delivery.className = 'delivery';
  meta.append(time, delivery);
  li.append(who, bubble, meta);
  return li;
}

/** Appends `li`, scrolling to it when it is the person's own or they were reading the end. */
export function appendItem(li, own) {
  const nearBottom = isNearBottom();
  el.messages.appendChild(li);
  el.empty.hidden = true;
  if (own || nearBottom) {
    el.conversation.scrollTop = el.conversation.scrollHeight;
  }
}

/** The item shown for message `id`, if any. */
export function itemOf(id) {
  return shown.get(id) || null;
}

/** Records that `li` shows message `id` (the person's own, once the server named it). */
export function register(id, li) {
  li.dataset.id = id;
  shown.set(id, li);
}

/**
 * Shows finished messages (oldest first), each once whatever path brought it (the history, the long
 * poll, the stream). Answers the agent messages that were new here.
 */
export function showMessages(messages) {
  const arrived = [];
  for (const m of messages) {
    if (!m || typeof m.id !== 'string' || shown.has(m.id)) {
      continue;
    }
    const content = typeof m.content === 'string' ? m.content : '';
    if (m.role === 'user') {
      if (!state.adoptOwn(m.id, content)) {
        const li = messageItem('user', content, m.createdAt);
        register(m.id, li);
        appendItem(li, false);
      }
      continue;
    }
    const writing = live.get(m.id);
    if (writing) {
      live.delete(m.id);
      finishLive(writing, content, m.createdAt);
      register(m.id, writing);
    } else {
      const li = messageItem('agent', content, m.createdAt);
      register(m.id, li);
      appendItem(li, false);
    }
    announce(text('announceAgentMessage', { text: content }));
    arrived.push(m);
  }
  updateTyping();
  return arrived;
}

/**
 * Appends a piece of the reply `id` while the agent writes it, as text. Answers false when that
 * reply is already shown finished (a delta that arrived late, or twice).
 */
export function appendDelta(id, delta) {
  if (typeof id !== 'string' || typeof delta !== 'string' || shown.has(id)) {
    return false;
  }
  let li = live.get(id);
  if (!li) {
    li = messageItem('agent', '', null);
    li.classList.add('msg-live');
    li.dataset.id = id;
    // Screen readers hear the finished message once (status.announce), not every piece of it.
    li.setAttribute('aria-busy', 'true');
    live.set(id, li);
    appendItem(li, false);
  }
  const nearBottom = isNearBottom();
  li.querySelector('.bubble').append(document.createTextNode(delta));
  if (nearBottom) {
    el.conversation.scrollTop = el.conversation.scrollHeight;
  }
  updateTyping();
  return true;
}

/** The finished text replaces the pieces: it is what the server stored. */
function finishLive(li, content, createdAt) {
  li.querySelector('.bubble').textContent = content;
  li.classList.remove('msg-live');
  li.removeAttribute('aria-busy');
  const when = createdAt ? new Date(createdAt) : null;
  const time = li.querySelector('time');
  if (when && !Number.isNaN(when.getTime()) && time) {
    time.dateTime = when.toISOString();
    time.textContent = when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }
}

/** Whether the agent is working on a reply (the session's status says "responding"). */
export function setResponding(responding) {
  state.responding = responding === true;
  updateTyping();
}

/** The agent's first words (flow D's start_message): a bubble without time or delivery state. */
export function showStartMessage(message) {
  const li = messageItem('agent', message, null);
  li.classList.add('msg-start');
  li.querySelector('.meta').remove();
  el.messages.appendChild(li);
}

/**
 * Marks where another session's conversation begins. Message ids are unique only within a session,
 * so the new one starts with none known; replies still being written for the old one stop here.
 */
export function showDivider() {
  for (const li of live.values()) {
    li.remove();
  }
  live.clear();
  shown.clear();
  const li = document.createElement('li');
  li.className = 'divider';
  li.textContent = text('dividerNewConversation');
  el.messages.appendChild(li);
}

/** The typing dots: while the agent works on a reply that is not being shown as it is written. */
export function updateTyping() {
  const items = el.messages.querySelectorAll('.msg');
  const last = items.length ? items[items.length - 1] : null;
  const waitingForAgent = last && last.classList.contains('msg-user') && last.dataset.delivery === 'sent';
  const show = !isEnded() && live.size === 0 && (waitingForAgent || (state.responding && isConnected()));
  const nearBottom = isNearBottom();
  el.typing.hidden = !show;
  el.empty.hidden = !(isConnected() && !items.length && !show);
  if (nearBottom) {
    el.conversation.scrollTop = el.conversation.scrollHeight;
  }
}

function isNearBottom() {
  const box = el.conversation;
  return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
}
