/*
 * Which conversation the page shows, and whether it has ended: the state every other module reads.
 * A credential for another session (a flow C or D renewal may start one) switches it; an ended
 * session never comes back.
 */
import { ID } from './config.js';

const state = { id: null, ended: false };
const switchListeners = [];
const endListeners = [];

export function sessionId() {
  return state.id;
}

export function isEnded() {
  return state.ended;
}

/** Adopts `id`; answers true when it replaced another session (listeners have run). */
export function adoptSession(id) {
  if (typeof id !== 'string' || !ID.test(id) || id === state.id) {
    return false;
  }
  const previous = state.id;
  state.id = id;
  if (previous === null) {
    return false;
  }
  switchListeners.forEach((listener) => listener(id, previous));
  return true;
}

/** Ends the conversation for good (the session ended, or the page cannot run); listeners run once. */
export function endSession(reason) {
  if (state.ended) {
    return;
  }
  state.ended = true;
  endListeners.forEach((listener) => listener(reason));
}

export function onSessionSwitch(listener) {
  switchListeners.push(listener);
}

export function onSessionEnd(listener) {
  endListeners.push(listener);
}
