/*
 * Intake: the page's configuration (a JSON data block the server writes into chat.html) and the
 * credential its own address may carry (flow A: #token=, flow C: ?token=), which is removed from
 * the address and the session history before anything else runs.
 */
export const ID = /^[A-Za-z0-9._-]{1,128}$/;
export const CACHE_KEY = /^[A-Za-z0-9_-]{22,128}$/;
export const MAX_TOKEN_LENGTH = 8192;
export const MAX_MESSAGE = 8000;

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const FLOWS = ['chat', 'agents', 'iframe'];

/** Whether `value` looks like a compact JWS of an acceptable size (the server decides the rest). */
export function isToken(value) {
  return typeof value === 'string' && value.length <= MAX_TOKEN_LENGTH && JWT.test(value);
}

/**
 * The page's configuration, or null when it is missing or malformed:
 * {flow, id, base, parentOrigins, topLevel, events, eventsIdleSeconds}. `parentOrigins` never
 * holds '*'.
 */
export function readConfig(doc) {
  const node = doc.getElementById('embed-config');
  let raw = null;
  try {
    raw = JSON.parse(node ? node.textContent : 'null');
  } catch {
    return null;
  }
  if (
    !raw ||
    typeof raw !== 'object' ||
    !FLOWS.includes(raw.flow) ||
    !ID.test(String(raw.id)) ||
    typeof raw.base !== 'string' ||
    !Array.isArray(raw.parentOrigins)
  ) {
    return null;
  }
  return Object.freeze({
    flow: raw.flow,
    id: String(raw.id),
    base: raw.base,
    parentOrigins: Object.freeze(raw.parentOrigins.filter((o) => typeof o === 'string' && o !== '*')),
    topLevel: raw.topLevel === true,
    events: raw.events === true,
    eventsIdleSeconds:
      Number.isInteger(raw.eventsIdleSeconds) && raw.eventsIdleSeconds >= 1 && raw.eventsIdleSeconds <= 120
        ? raw.eventsIdleSeconds
        : 20
  });
}

/**
 * Removes `token` from the address's fragment and query (always, whatever the flow), and answers
 * the one this page's flow takes from there, or null.
 */
export function takeTokenFromAddress(config, location, history) {
  let url;
  try {
    url = new URL(location.href);
  } catch {
    return null;
  }
  const fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
  const fromFragment = fragment.get('token');
  const fromQuery = url.searchParams.get('token');
  if (fromFragment === null && fromQuery === null) {
    return null;
  }
  fragment.delete('token');
  url.searchParams.delete('token');
  const rest = fragment.toString();
  const clean = url.pathname + url.search + (rest ? '#' + rest : '');
  try {
    history.replaceState(history.state, '', clean);
  } catch {
    location.replace(clean); // last resort: drop it by navigating
    return null;
  }
  if (!config) {
    return null;
  }
  const token = config.flow === 'chat' ? fromFragment : config.flow === 'agents' ? fromQuery : null;
  return isToken(token) ? token : null;
}
