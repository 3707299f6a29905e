/*
 * The HTTP client of the embed JSON endpoints (DESIGN §4) and of flow D's redemption: same-origin
 * fetches only, the token only in an Authorization: Bearer header, no cookies, no Referer, no
 * cache. Also the timing rules every caller shares: backoff with jitter, Retry-After, and sleeps
 * that a caller can cut short.
 */
const MAX_BACKOFF_MS = 30000;
const REQUEST = Object.freeze({
  credentials: 'omit',
  cache: 'no-store',
  mode: 'same-origin',
  referrerPolicy: 'no-referrer'
});

let base = '';

/** The path the application's endpoints are under (from the page configuration). */
export function configureApi(basePath) {
  base = basePath;
}

export function sessionPath(sid) {
  return '/api/v1/embed/chat-sessions/' + encodeURIComponent(sid);
}

/**
 * One JSON request with `auth` = {token, gen}. Answers {status, data, gen, retryAfter}; throws
 * when the network fails, `timeoutMs` passes or `cancel` (an AbortSignal, optional) fires.
 */
export async function call(method, path, auth, body, timeoutMs, cancel) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const stop = () => controller.abort();
  if (cancel) {
    cancel.addEventListener('abort', stop);
  }
  try {
    const headers = { Authorization: 'Bearer ' + auth.token, Accept: 'application/json' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const response = await fetch(base + path, {
      ...REQUEST,
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal
    });
    const data = await readJson(response);
    return { status: response.status, data, gen: auth.gen, retryAfter: response.headers.get('Retry-After') };
  } finally {
    clearTimeout(timer);
    if (cancel) {
      cancel.removeEventListener('abort', stop);
    }
  }
}

/**
 * Opens `path` as an event stream (text/event-stream) with the bearer header and, to resume,
 * Last-Event-ID. Answers the Response, whose body the caller reads; throws on network failure.
 */
export function openStream(path, auth, lastEventId, signal) {
  const headers = { Authorization: 'Bearer ' + auth.token, Accept: 'text/event-stream' };
  if (lastEventId) {
    headers['Last-Event-ID'] = lastEventId;
  }
  return fetch(base + path, { ...REQUEST, method: 'GET', headers, signal });
}

/** Flow D: POST /api/v1/iframe/token {cache_key}. Answers {status, data}; throws on network failure. */
export async function redeemCacheKey(cacheKey) {
  const response = await fetch(base + '/api/v1/iframe/token', {
    ...REQUEST,
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ cache_key: cacheKey })
  });
  return { status: response.status, data: await readJson(response) };
}

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** Milliseconds the server asked us to wait (Retry-After in seconds, at most 5 minutes), else 5 s. */
export function retryAfterMs(result) {
  const seconds = parseInt(result.retryAfter, 10);
  return (Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 300) : 5) * 1000;
}

/** Exponential backoff from 1 s to 30 s, with ±20 % jitter so that many pages do not retry at once. */
export function backoffMs(failures) {
  const ms = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, failures - 1));
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}

/** Something that sleeps and can be woken early (the network came back, a token arrived). */
export class Alarm {
  #wake = null;

  sleep(ms) {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.#wake === done) {
          this.#wake = null;
        }
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  wake() {
    if (this.#wake) {
      this.#wake();
    }
  }
}
