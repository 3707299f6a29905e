/*
 * The session's event stream (DESIGN §4, GET .../chat-sessions/{id}/events), read with fetch and
 * a ReadableStream rather than EventSource, so that the token travels in the Authorization header
 * and never in a URL. The parser follows the HTML standard's text/event-stream rules: lines end
 * with CRLF, LF or CR; "field: value" lines; ":" comments (the server's keep-alives); a blank line
 * dispatches. Unlike EventSource it also dispatches an event that has a type but no data (the
 * server's "ended").
 */
import { openStream } from './api.js';

/** A parser fed with text as it arrives; `onEvent({type, data, id})` runs per complete event. */
export class EventStreamParser {
  #buffer = '';
  #type = '';
  #data = [];
  #id = null;
  #onEvent;
  #onRetry;

  constructor(onEvent, onRetry) {
    this.#onEvent = onEvent;
    this.#onRetry = onRetry || (() => {});
  }

  /** Feeds a piece of the stream (any size, split anywhere). */
  push(text) {
    this.#buffer += text;
    for (;;) {
      const end = this.#buffer.search(/[\r\n]/);
      if (end < 0) {
        return;
      }
      // A CR at the very end may be the first half of a CRLF: wait for the next piece.
      if (this.#buffer[end] === '\r' && end === this.#buffer.length - 1) {
        return;
      }
      const line = this.#buffer.slice(0, end);
      const skip = this.#buffer[end] === '\r' && this.#buffer[end + 1] === '\n' ? 2 : 1;
      this.#buffer = this.#buffer.slice(end + skip);
      this.#line(line);
    }
  }

  #line(line) {
    if (line === '') {
      this.#dispatch();
      return;
    }
    if (line.startsWith(':')) {
      return; // a comment: a keep-alive
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    if (field === 'event') {
      this.#type = value;
    } else if (field === 'data') {
      this.#data.push(value);
    } else if (field === 'id' && !value.includes('\0')) {
      this.#id = value;
    } else if (field === 'retry' && /^\d+$/.test(value)) {
      this.#onRetry(Number(value));
    }
  }

  #dispatch() {
    const type = this.#type || 'message';
    const hasData = this.#data.length > 0;
    const event = { type, data: this.#data.join('\n'), id: this.#id };
    this.#type = '';
    this.#data = [];
    this.#id = null;
    if (hasData || type !== 'message') {
      this.#onEvent(event);
    }
  }
}

/**
 * Opens the stream and reads it until it ends. Answers how it ended:
 *   {outcome: "ended"}        the server said so (the session ended or the token expired)
 *   {outcome: "closed"}       the connection closed without "ended"
 *   {outcome: "idle"}         no byte for `idleMs` (a buffering proxy, or a dead connection)
 *   {outcome: "status", status}  not a stream: 401, 403, 404, 429, 5xx…
 *   {outcome: "failed"}       the network failed
 *   {outcome: "cancelled"}    `cancel` fired
 * with `events`: how many events were read.
 */
export async function readEventStream({ path, auth, lastEventId, idleMs, cancel, onEvent, onRetry }) {
  const controller = new AbortController();
  let idle = false;
  let timer = 0;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      controller.abort();
    }, idleMs);
  };
  const stop = () => controller.abort();
  cancel.addEventListener('abort', stop);
  let events = 0;
  let ended = false;
  const parser = new EventStreamParser((event) => {
    events++;
    if (event.type === 'ended') {
      ended = true;
    }
    onEvent(event);
  }, onRetry);
  const outcome = (name, extra) => ({ outcome: name, events, ...extra });
  arm();
  try {
    const response = await openStream(path, auth, lastEventId, controller.signal);
    const type = response.headers.get('Content-Type') || '';
    if (!response.ok || !type.startsWith('text/event-stream') || !response.body) {
      response.body?.cancel().catch(() => {});
      return outcome('status', { status: response.ok ? 415 : response.status });
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return outcome(ended ? 'ended' : 'closed');
      }
      arm(); // any byte, a keep-alive comment too, shows the stream is alive
      parser.push(value);
      if (ended) {
        reader.cancel().catch(() => {});
        return outcome('ended');
      }
    }
  } catch {
    if (cancel.aborted) {
      return outcome('cancelled');
    }
    return outcome(idle ? 'idle' : 'failed');
  } finally {
    clearTimeout(timer);
    cancel.removeEventListener('abort', stop);
  }
}
