/*
 * Every text the hosted chat page shows or announces, in one table: review, reword or translate
 * here. chat.html names its texts by key (data-string, data-string-label,
 * data-string-placeholder); the modules call text(key, values). {name} marks a value.
 */
export const STRINGS = Object.freeze({
  agentDefault: 'Assistant',
  title: 'Chat',
  titleAgent: '{name} · Chat',
  empty: 'Ask a question to start the conversation.',
  conversation: 'Conversation',
  typing: 'The agent is typing',
  messageLabel: 'Message',
  messagePlaceholder: 'Write a message…',
  messagePlaceholderEnded: 'This conversation has ended',
  send: 'Send',
  hint: 'Enter to send · Shift+Enter for a new line',
  counter: '{count} / 8,000 characters',
  you: 'You:',
  agent: 'Agent:',

  stateConnecting: 'Connecting…',
  stateOnline: 'Online',
  stateSending: 'Sending…',
  stateRetrying: 'Connection lost · retrying…',
  stateRefreshing: 'Reconnecting…',
  stateExpired: 'Session expired',
  stateEnded: 'Conversation ended',
  stateUnavailable: 'Unavailable',

  deliverySending: 'Sending…',
  deliveryWaiting: 'Waiting to reconnect…',
  deliveryRetryingIn: 'Not sent · retrying in {seconds} s',
  deliveryEnded: 'Not sent: the conversation has ended.',
  deliveryRefused: 'Not sent: {reason}',
  deliveryRefusedDefault: 'the server refused it',
  retryNow: 'Retry now',

  noticeIncomplete: 'This chat could not start: the page is incomplete.',
  noticeTopLevel: 'This chat can only be shown on the site that embeds it.',
  noticeLinkExpired: 'This chat link has expired or was already used.',
  noticeNoSession: 'This chat could not start: its credential names no session.',
  noticeExpiredNoParent: 'Your session has expired. Open this chat again from the page that embeds it.',
  noticeExpiredReload: 'Your session has expired. Reload the page to continue.',
  noticeEnded: 'This conversation has ended.',
  noticeTooLong: 'A message can have at most 8,000 characters.',

  announceAgentMessage: 'Agent: {text}',
  announceReconnected: 'Reconnected.',
  announceConnectedAgain: 'Connected again.',
  announceRetrying: 'Connection lost. Retrying.',
  announceExpired: 'Session expired.',
  announceEnded: 'This conversation has ended.',

  dividerNewConversation: 'A new conversation starts here'
});

/** The text of `key`, with each {name} replaced by values[name]. */
export function text(key, values) {
  const template = STRINGS[key];
  if (typeof template !== 'string') {
    throw new Error('strings.js has no text "' + key + '"');
  }
  if (!values) {
    return template;
  }
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole
  );
}

/** Fills the texts chat.html names by key, as text and attributes: never as markup. */
export function fillDocument(root) {
  for (const node of root.querySelectorAll('[data-string]')) {
    node.textContent = text(node.dataset.string);
  }
  for (const node of root.querySelectorAll('[data-string-label]')) {
    node.setAttribute('aria-label', text(node.dataset.stringLabel));
  }
  for (const node of root.querySelectorAll('[data-string-placeholder]')) {
    node.setAttribute('placeholder', text(node.dataset.stringPlaceholder));
  }
}
