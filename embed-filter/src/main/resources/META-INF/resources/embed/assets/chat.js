/*
 * The hosted chat page of DESIGN §6: plain JavaScript, no build step.
 *
 * Credentials: flow A's token arrives in the URL fragment (#token=), flow C's in the query
 * (?token=), and both are removed from the address before anything else runs; flow D's page
 * redeems its cache key for the token. The token lives only in this closure and travels only in
 * Authorization: Bearer headers of same-origin fetches (no cookies, never in a URL, no Referer).
 * When it is rejected (401) or about to expire, the page posts {type: "embed:token-expired"} to
 * its parent and takes {type: "embed:token", token} only from the parent window, and only from an
 * origin the server listed in the page's configuration; the conversation on screen stays.
 */
(function () {
  'use strict';

  var JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
  var ID = /^[A-Za-z0-9._-]{1,128}$/;
  var CSS_VAR = /^--[A-Za-z0-9_-]{1,64}$/;
  var POLL_WAIT_SECONDS = 25;
  var MAX_MESSAGE = 8000;
  var MAX_BACKOFF_MS = 30000;

  var cfg = readConfig();
  // Before anything else: no credential stays in the address bar or the session history.
  var initialToken = takeTokenFromAddress();

  var root = document.documentElement;
  var el = {};
  var S = {
    token: null,
    gen: 0,
    claims: null,
    sessionId: null,
    lastId: null,
    lastStatus: 'idle',
    rendered: new Map(),
    outbox: [],
    draining: false,
    sending: false,
    sendRetrying: false,
    pollRetrying: false,
    connected: false,
    needToken: false,
    expired: false,
    ended: false,
    tokenWaiters: [],
    askedAt: 0,
    askTimer: null,
    refreshTimer: null,
    parentOrigin: null,
    startMessage: null,
    poll: { wake: null },
    shownState: null
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', boot);
  } else {
    boot();
  }

  function readConfig() {
    var node = document.getElementById('embed-config');
    var c = null;
    try {
      c = JSON.parse(node ? node.textContent : 'null');
    } catch (e) {
      c = null;
    }
    if (
      !c ||
      typeof c !== 'object' ||
      ['chat', 'agents', 'iframe'].indexOf(c.flow) < 0 ||
      !ID.test(String(c.id)) ||
      typeof c.base !== 'string' ||
      !Array.isArray(c.parentOrigins)
    ) {
      return null;
    }
    c.parentOrigins = c.parentOrigins.filter(function (o) {
      return typeof o === 'string' && o !== '*';
    });
    return c;
  }

  function takeTokenFromAddress() {
    var url;
    try {
      url = new URL(location.href);
    } catch (e) {
      return null;
    }
    var fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
    var fromFragment = fragment.get('token');
    var fromQuery = url.searchParams.get('token');
    if (fromFragment === null && fromQuery === null) {
      return null;
    }
    fragment.delete('token');
    url.searchParams.delete('token');
    var rest = fragment.toString();
    try {
      history.replaceState(history.state, '', url.pathname + url.search + (rest ? '#' + rest : ''));
    } catch (e) {
      location.replace(url.pathname + url.search + (rest ? '#' + rest : '')); // last resort: drop it by navigating
      return null;
    }
    if (!cfg) {
      return null;
    }
    var token = cfg.flow === 'chat' ? fromFragment : cfg.flow === 'agents' ? fromQuery : null;
    return token && JWT.test(token) && token.length <= 8192 ? token : null;
  }

  // ---------------------------------------------------------------- start

  async function boot() {
    bindElements();
    if (!cfg) {
      S.ended = true;
      showNotice('This chat could not start: the page is incomplete.');
      disableComposer();
      refreshState();
      return;
    }
    bindComposer();
    window.addEventListener('message', onParentMessage);
    window.addEventListener('online', wakePoll);

    var token = initialToken;
    var remaining = null;
    if (cfg.flow === 'chat') {
      S.sessionId = cfg.id;
    } else if (cfg.flow === 'agents') {
      setAgentName(cfg.id);
    } else {
      var answer = await redeem(cfg.id);
      if (answer) {
        applySettings(answer.settings || answer.theme || answer);
        token = answer.token;
        if (typeof answer.session_id === 'string' && ID.test(answer.session_id)) {
          S.sessionId = answer.session_id;
        }
        if (typeof answer.expires_in === 'number') {
          remaining = answer.expires_in;
        }
      } else {
        showNotice('This chat link has expired or was already used.');
      }
    }
    renderStartMessage();
    if (token) {
      var claims = claimsOf(token);
      if (cfg.flow === 'chat' && claims && claims.sid && claims.sid !== cfg.id) {
        token = null; // a page of one session takes only that session's tokens
      } else {
        useToken(token, claims, remaining);
      }
    }
    if (!S.token) {
      tokenRejected(S.gen);
    }
    refreshState();
    pollLoop();
  }

  function bindElements() {
    [
      'chat',
      'avatar',
      'agent-name',
      'state',
      'state-text',
      'conversation',
      'empty',
      'messages',
      'typing',
      'announcer',
      'notice',
      'composer',
      'input',
      'send',
      'counter'
    ].forEach(function (id) {
      el[
        id.replace(/-([a-z])/g, function (m, c) {
          return c.toUpperCase();
        })
      ] = document.getElementById(id);
    });
  }

  function bindComposer() {
    el.composer.addEventListener('submit', function (event) {
      event.preventDefault();
      submit();
    });
    el.input.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        submit();
      }
    });
    el.input.addEventListener('input', function () {
      autosize();
      updateCounter();
    });
  }

  // ---------------------------------------------------------------- credentials

  function claimsOf(token) {
    try {
      var part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      part += '==='.slice((part.length + 3) % 4);
      var binary = atob(part);
      var bytes = new Uint8Array(binary.length);
      for (var i = 0; i < binary.length; i++) {
        bytes[i] = binary.charCodeAt(i);
      }
      var claims = JSON.parse(new TextDecoder().decode(bytes));
      return claims && typeof claims === 'object' ? claims : null;
    } catch (e) {
      return null;
    }
  }

  /** Starts using a token; `remaining` (seconds) overrides exp - iat when the server said so. */
  function useToken(token, claims, remaining) {
    S.token = token;
    S.claims = claims;
    S.gen++;
    var wasWaiting = S.needToken;
    S.needToken = false;
    S.expired = false;
    clearTimeout(S.askTimer);
    if (claims && typeof claims.sid === 'string' && ID.test(claims.sid)) {
      if (S.sessionId && claims.sid !== S.sessionId) {
        switchSession(claims.sid);
      } else {
        S.sessionId = claims.sid;
      }
    }
    if (claims && typeof claims.agt === 'string') {
      setAgentName(claims.agt);
    }
    scheduleRefresh(claims, remaining);
    if (wasWaiting && S.connected) {
      announce('Reconnected.');
    }
    hideNotice();
    var waiters = S.tokenWaiters;
    S.tokenWaiters = [];
    waiters.forEach(function (resolve) {
      resolve();
    });
    wakePoll();
    refreshState();
  }

  function tokenReady() {
    if (S.token && !S.needToken) {
      return Promise.resolve();
    }
    return new Promise(function (resolve) {
      S.tokenWaiters.push(resolve);
    });
  }

  /** A request made with token generation `gen` was refused: ask the parent for a fresh token. */
  function tokenRejected(gen) {
    if (gen !== S.gen || S.needToken) {
      return;
    }
    S.needToken = true;
    refreshState();
    if (window.parent === window) {
      expire('Your session has expired. Open this chat again from the page that embeds it.');
      return;
    }
    askParent(true);
    clearTimeout(S.askTimer);
    S.askTimer = setTimeout(function again() {
      if (!S.needToken) {
        return;
      }
      expire('Your session has expired. Reload the page to continue.');
      askParent(true);
      S.askTimer = setTimeout(again, 30000);
    }, 10000);
  }

  function expire(text) {
    if (!S.expired) {
      S.expired = true;
      announce('Session expired.');
    }
    showNotice(text);
    refreshState();
  }

  function askParent(force) {
    if (window.parent === window) {
      return;
    }
    var now = Date.now();
    if (!force && now - S.askedAt < 2000) {
      return;
    }
    S.askedAt = now;
    var message = { type: 'embed:token-expired' };
    if (S.sessionId) {
      message.sessionId = S.sessionId;
    }
    window.parent.postMessage(message, parentTarget());
  }

  /** Before the token runs out, ask for the next one (durations only: the two clocks may differ). */
  function scheduleRefresh(claims, remaining) {
    clearTimeout(S.refreshTimer);
    var life =
      typeof remaining === 'number'
        ? remaining
        : claims && typeof claims.exp === 'number' && typeof claims.iat === 'number'
          ? claims.exp - claims.iat
          : 0;
    if (!(life > 0)) {
      return;
    }
    var lead = Math.min(60, Math.max(5, life * 0.1));
    var ms = Math.max(5, life - lead) * 1000;
    if (ms < 2147483647) {
      S.refreshTimer = setTimeout(function () {
        askParent(true);
      }, ms);
    }
  }

  function onParentMessage(event) {
    if (window.parent === window || event.source !== window.parent || !originAllowed(event.origin)) {
      return;
    }
    var data = event.data;
    if (!data || typeof data !== 'object' || data.type !== 'embed:token') {
      return;
    }
    var token = data.token;
    if (typeof token !== 'string' || token.length > 8192 || !JWT.test(token)) {
      return;
    }
    var claims = claimsOf(token);
    if (cfg.flow === 'chat' && claims && claims.sid && claims.sid !== cfg.id) {
      return;
    }
    S.parentOrigin = event.origin;
    useToken(token, claims, null);
  }

  function originAllowed(origin) {
    if (typeof origin !== 'string' || origin === 'null') {
      return false;
    }
    var url;
    try {
      url = new URL(origin);
    } catch (e) {
      return false;
    }
    return cfg.parentOrigins.some(function (pattern) {
      return originMatches(pattern, url, origin);
    });
  }

  /** CSP source-expression matching of an origin: scheme, host (with *.), port (with :*). */
  function originMatches(pattern, url, origin) {
    if (pattern === "'self'") {
      return origin === location.origin;
    }
    var m = /^(https?):\/\/(\*\.)?([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\*|\d{1,5}))?$/i.exec(pattern);
    if (!m || url.protocol !== m[1].toLowerCase() + ':') {
      return false;
    }
    var host = m[3].toLowerCase();
    var hostname = url.hostname.toLowerCase();
    if (m[2] ? !hostname.endsWith('.' + host) : hostname !== host) {
      return false;
    }
    var defaultPort = m[1].toLowerCase() === 'https' ? '443' : '80';
    return m[4] === '*' || (url.port || defaultPort) === (m[4] || defaultPort);
  }

  function parentTarget() {
    if (S.parentOrigin) {
      return S.parentOrigin;
    }
    var ancestors = location.ancestorOrigins;
    if (ancestors && ancestors.length && originAllowed(ancestors[0])) {
      return ancestors[0];
    }
    var exact = [];
    var wildcard = false;
    cfg.parentOrigins.forEach(function (p) {
      if (p === "'self'") {
        exact.push(location.origin);
      } else if (p.indexOf('*') >= 0) {
        wildcard = true;
      } else {
        try {
          exact.push(new URL(p).origin);
        } catch (e) {
          /* not an origin */
        }
      }
    });
    // The request carries no secret, so an unknown parent among several may hear it.
    return !wildcard && exact.length === 1 ? exact[0] : '*';
  }

  // ---------------------------------------------------------------- HTTP

  async function api(method, path, body, timeoutMs) {
    var gen = S.gen;
    var controller = new AbortController();
    var timer = setTimeout(function () {
      controller.abort();
    }, timeoutMs);
    try {
      var headers = { Authorization: 'Bearer ' + S.token, Accept: 'application/json' };
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
      }
      var response = await fetch(cfg.base + path, {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
        mode: 'same-origin',
        referrerPolicy: 'no-referrer',
        signal: controller.signal
      });
      var data = null;
      try {
        data = await response.json();
      } catch (e) {
        data = null;
      }
      return { status: response.status, data: data, gen: gen, retryAfter: response.headers.get('Retry-After') };
    } finally {
      clearTimeout(timer);
    }
  }

  async function redeem(cacheKey) {
    for (var failures = 0; failures < 6;) {
      var response;
      try {
        response = await fetch(cfg.base + '/api/v1/iframe/token', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ cache_key: cacheKey }),
          credentials: 'omit',
          cache: 'no-store',
          mode: 'same-origin',
          referrerPolicy: 'no-referrer'
        });
      } catch (e) {
        failures++;
        await backoff(failures, S.poll, function (on) {
          S.pollRetrying = on;
        });
        continue;
      }
      var data = null;
      try {
        data = await response.json();
      } catch (e) {
        data = null;
      }
      if (response.ok && data && typeof data === 'object') {
        var answer = data.data && typeof data.data === 'object' ? data.data : data;
        return typeof answer.token === 'string' && JWT.test(answer.token) ? answer : null;
      }
      if (response.status !== 429 && response.status < 500) {
        return null; // unknown, used or expired
      }
      failures++;
      await backoff(failures, S.poll, function (on) {
        S.pollRetrying = on;
      });
    }
    return null;
  }

  function sessionPath(sid) {
    return '/api/v1/embed/chat-sessions/' + encodeURIComponent(sid);
  }

  function retryAfterMs(result) {
    var seconds = parseInt(result.retryAfter, 10);
    return (isFinite(seconds) && seconds > 0 ? Math.min(seconds, 300) : 5) * 1000;
  }

  function backoffMs(failures) {
    var base = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, Math.max(0, failures - 1)));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  function sleep(ms, channel) {
    return new Promise(function (resolve) {
      var timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        if (channel && channel.wake === done) {
          channel.wake = null;
        }
        resolve();
      }
      if (channel) {
        channel.wake = done;
      }
    });
  }

  async function backoff(failures, channel, flag) {
    flag(true);
    refreshState();
    await sleep(backoffMs(failures), channel);
    flag(false);
    refreshState();
  }

  function wakePoll() {
    if (S.poll.wake) {
      S.poll.wake();
    }
  }

  // ---------------------------------------------------------------- receiving

  async function pollLoop() {
    var failures = 0;
    var first = true;
    while (!S.ended) {
      await tokenReady();
      var sid = S.sessionId;
      if (!sid) {
        S.ended = true;
        showNotice('This chat could not start: its credential names no session.');
        disableComposer();
        refreshState();
        return;
      }
      var query = [];
      if (S.lastId) {
        query.push('after=' + encodeURIComponent(S.lastId));
      }
      if (!first) {
        query.push('wait=' + POLL_WAIT_SECONDS);
      }
      var result;
      try {
        result = await api(
          'GET',
          sessionPath(sid) + (query.length ? '?' + query.join('&') : ''),
          undefined,
          (POLL_WAIT_SECONDS + 15) * 1000
        );
      } catch (e) {
        failures++;
        await backoff(failures, S.poll, function (on) {
          S.pollRetrying = on;
        });
        continue;
      }
      if (sid !== S.sessionId) {
        first = true;
        continue; // the parent moved us to another session meanwhile
      }
      if (result.status === 200 && result.data && Array.isArray(result.data.messages)) {
        var recovered = failures > 0 || !S.connected;
        failures = 0;
        first = false;
        S.connected = true;
        S.lastStatus = result.data.status;
        render(result.data.messages);
        if (recovered && S.shownState === 'retrying') {
          announce('Connected again.');
        }
        refreshState();
      } else if (result.status === 401) {
        tokenRejected(result.gen);
      } else if (result.status === 400 && S.lastId) {
        S.lastId = null; // the cursor fell out of the session's history: read it all again
        first = true;
      } else if ((result.status === 403 || result.status === 404) && result.gen === S.gen) {
        end();
        return;
      } else if (result.status === 429) {
        await sleep(retryAfterMs(result), S.poll);
      } else if (result.gen === S.gen) {
        failures++;
        await backoff(failures, S.poll, function (on) {
          S.pollRetrying = on;
        });
      }
    }
  }

  function render(messages) {
    messages.forEach(function (m) {
      if (!m || typeof m.id !== 'string') {
        return;
      }
      S.lastId = m.id;
      if (S.rendered.has(m.id)) {
        return;
      }
      var content = typeof m.content === 'string' ? m.content : '';
      if (m.role === 'user' && adoptPending(m.id, content)) {
        return;
      }
      var li = messageItem(m.role === 'user' ? 'user' : 'agent', content, m.createdAt);
      li.dataset.id = m.id;
      S.rendered.set(m.id, li);
      append(li, false);
      if (m.role !== 'user') {
        announce('Agent: ' + content);
      }
    });
    updateTyping();
  }

  /** The user's own message, as read back: the bubble typed here takes its id instead of a copy. */
  function adoptPending(id, content) {
    for (var i = 0; i < S.outbox.length; i++) {
      var item = S.outbox[i];
      if (!item.id && item.text === content) {
        item.id = id;
        item.li.dataset.id = id;
        S.rendered.set(id, item.li);
        setDelivery(item, 'sent');
        return true;
      }
    }
    return false;
  }

  function switchSession(sid) {
    S.sessionId = sid;
    S.lastId = null;
    S.connected = false;
    var li = document.createElement('li');
    li.className = 'divider';
    li.textContent = 'A new conversation starts here';
    el.messages.appendChild(li);
    wakePoll();
  }

  function end() {
    S.ended = true;
    S.outbox.forEach(function (item) {
      if (!item.id) {
        setDelivery(item, 'failed', 'Not sent: the conversation has ended.');
      }
    });
    showNotice('This conversation has ended.');
    announce('This conversation has ended.');
    disableComposer();
    updateTyping();
    refreshState();
  }

  // ---------------------------------------------------------------- sending

  function submit() {
    if (S.ended) {
      return;
    }
    var text = el.input.value.trim();
    if (!text) {
      return;
    }
    if (Array.from(text).length > MAX_MESSAGE) {
      showNotice('A message can have at most 8,000 characters.');
      return;
    }
    el.input.value = '';
    autosize();
    updateCounter();
    var item = { text: text, id: null, li: messageItem('user', text, null), tries: 0, retryNow: null };
    S.outbox.push(item);
    setDelivery(item, S.token && !S.needToken ? 'sending' : 'waiting');
    append(item.li, true);
    drain();
  }

  async function drain() {
    if (S.draining) {
      return;
    }
    S.draining = true;
    try {
      while (S.outbox.length && !S.ended) {
        var item = S.outbox[0];
        if (!item.id) {
          await deliver(item);
        }
        S.outbox.shift();
      }
    } finally {
      S.draining = false;
      S.sending = false;
      refreshState();
    }
  }

  async function deliver(item) {
    for (;;) {
      if (S.ended) {
        setDelivery(item, 'failed', 'Not sent: the conversation has ended.');
        return;
      }
      if (!S.token || S.needToken) {
        setDelivery(item, 'waiting');
        await tokenReady();
        continue;
      }
      if (item.id) {
        return; // read back from the session before its POST answered
      }
      setDelivery(item, 'sending');
      S.sending = true;
      refreshState();
      var result;
      try {
        result = await api('POST', sessionPath(S.sessionId) + '/messages', { message: item.text }, 20000);
      } catch (e) {
        S.sending = false;
        item.tries++;
        await retryLater(item, backoffMs(item.tries));
        continue;
      }
      S.sending = false;
      if (result.status === 202 || result.status === 200) {
        delivered(item, result.data && result.data.messageId);
        return;
      }
      if (result.status === 401) {
        tokenRejected(result.gen);
      } else if (result.status === 429) {
        await retryLater(item, retryAfterMs(result));
      } else if (result.status >= 500) {
        item.tries++;
        await retryLater(item, backoffMs(item.tries));
      } else if ((result.status === 403 || result.status === 404) && result.gen === S.gen) {
        end();
        return;
      } else if (result.gen === S.gen) {
        var why =
          result.data && typeof result.data.error_description === 'string'
            ? result.data.error_description
            : 'the server refused it';
        setDelivery(item, 'failed', 'Not sent: ' + why);
        return;
      }
    }
  }

  function delivered(item, messageId) {
    if (typeof messageId === 'string' && !item.id) {
      var known = S.rendered.get(messageId);
      if (known && known !== item.li) {
        item.li.remove(); // the long poll showed it first
      } else {
        item.id = messageId;
        item.li.dataset.id = messageId;
        S.rendered.set(messageId, item.li);
      }
    }
    item.id = item.id || messageId || 'sent';
    setDelivery(item, 'sent');
    updateTyping();
    wakePoll();
  }

  function retryLater(item, ms) {
    S.sendRetrying = true;
    refreshState();
    return new Promise(function (resolve) {
      var until = Date.now() + ms;
      var tick = setInterval(show, 1000);
      var timer = setTimeout(done, ms);
      function show() {
        var seconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
        item.li.querySelector('.delivery-text').textContent = 'Not sent · retrying in ' + seconds + ' s';
      }
      function done() {
        clearInterval(tick);
        clearTimeout(timer);
        S.sendRetrying = false;
        refreshState();
        resolve();
      }
      setDelivery(item, 'retrying', '', done);
      show();
    });
  }

  // ---------------------------------------------------------------- view

  function messageItem(role, text, createdAt) {
    var li = document.createElement('li');
    li.className = 'msg msg-' + role;
    var who = document.createElement('span');
    who.className = 'sr-only';
    who.textContent = role === 'user' ? 'You:' : 'Agent:';
    var bubble = document.createElement('div');
    bubble.className = 'bubble';
    bubble.textContent = text;
    var meta = document.createElement('div');
    meta.className = 'meta';
    var time = document.createElement('time');
    var when = createdAt ? new Date(createdAt) : new Date();
    if (!isNaN(when.getTime())) {
      time.dateTime = when.toISOString();
      time.textContent = when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    }
    var delivery = document.createElement('span');
    delivery.className = 'delivery';
    meta.appendChild(time);
    meta.appendChild(delivery);
    li.appendChild(who);
    li.appendChild(bubble);
    li.appendChild(meta);
    return li;
  }

  var DELIVERY_TEXT = { sending: 'Sending…', waiting: 'Waiting to reconnect…', sent: '' };

  function setDelivery(item, state, text, retryNow) {
    item.li.dataset.delivery = state;
    var span = item.li.querySelector('.delivery');
    span.textContent = '';
    var label = document.createElement('span');
    label.className = 'delivery-text';
    label.textContent = text || DELIVERY_TEXT[state] || '';
    span.appendChild(label);
    if (retryNow) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'retry-now';
      button.textContent = 'Retry now';
      button.addEventListener('click', retryNow);
      span.appendChild(document.createTextNode(' · '));
      span.appendChild(button);
    }
  }

  function append(li, own) {
    var box = el.conversation;
    var nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    el.messages.appendChild(li);
    el.empty.hidden = true;
    if (own || nearBottom) {
      box.scrollTop = box.scrollHeight;
    }
  }

  function renderStartMessage() {
    if (!S.startMessage) {
      return;
    }
    var li = messageItem('agent', S.startMessage, null);
    li.classList.add('msg-start');
    li.querySelector('.meta').remove();
    el.messages.appendChild(li);
  }

  function updateTyping() {
    var items = el.messages.querySelectorAll('.msg');
    var last = items.length ? items[items.length - 1] : null;
    var waitingForAgent = last && last.classList.contains('msg-user') && last.dataset.delivery === 'sent';
    var show = !S.ended && (waitingForAgent || (S.lastStatus === 'responding' && S.connected));
    var box = el.conversation;
    var nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    el.typing.hidden = !show;
    el.empty.hidden = !(S.connected && !items.length && !show);
    if (nearBottom) {
      box.scrollTop = box.scrollHeight;
    }
  }

  function announce(text) {
    var p = document.createElement('p');
    p.textContent = text;
    el.announcer.appendChild(p);
    while (el.announcer.childNodes.length > 3) {
      el.announcer.removeChild(el.announcer.firstChild);
    }
  }

  function showNotice(text) {
    el.notice.textContent = text;
    el.notice.hidden = false;
  }

  function hideNotice() {
    if (!S.ended) {
      el.notice.hidden = true;
      el.notice.textContent = '';
    }
  }

  function disableComposer() {
    el.input.disabled = true;
    el.send.disabled = true;
    el.input.placeholder = 'This conversation has ended';
  }

  function refreshState() {
    var state;
    var text;
    if (S.ended) {
      state = 'ended';
      text = 'Conversation ended';
    } else if (S.needToken && S.expired) {
      state = 'expired';
      text = 'Session expired';
    } else if (S.needToken && S.connected) {
      state = 'refreshing';
      text = 'Reconnecting…';
    } else if (S.sendRetrying || S.pollRetrying) {
      state = 'retrying';
      text = 'Connection lost · retrying…';
    } else if (!S.connected) {
      state = 'connecting';
      text = 'Connecting…';
    } else if (S.sending) {
      state = 'sending';
      text = 'Sending…';
    } else {
      state = 'online';
      text = 'Online';
    }
    if (state === S.shownState) {
      return;
    }
    if (state === 'retrying') {
      announce('Connection lost. Retrying.');
    }
    S.shownState = state;
    el.state.dataset.state = state;
    el.stateText.textContent = text;
  }

  function setAgentName(id) {
    if (typeof id !== 'string' || !id) {
      return;
    }
    var name = id.replace(/[._-]+/g, ' ').trim();
    name = name.charAt(0).toUpperCase() + name.slice(1);
    el.agentName.textContent = name;
    el.avatar.textContent = name.charAt(0);
    document.title = name + ' · Chat';
  }

  function autosize() {
    el.input.style.height = 'auto';
    el.input.style.height = Math.min(el.input.scrollHeight + 2, 160) + 'px';
  }

  function updateCounter() {
    var length = el.input.value.length;
    el.counter.hidden = length < MAX_MESSAGE - 1000;
    el.counter.textContent = el.counter.hidden ? '' : length.toLocaleString() + ' / 8,000 characters';
  }

  /** Flow D's settings: theme_mode, custom_css_vars (only --names with plain values), start_message. */
  function applySettings(settings) {
    if (!settings || typeof settings !== 'object') {
      return;
    }
    var mode = settings.theme_mode;
    if (mode === 'light' || mode === 'dark') {
      root.dataset.theme = mode;
    } else if (mode === 'both' || mode === 'auto' || mode === 'system') {
      root.dataset.theme = 'auto';
    }
    var vars = settings.custom_css_vars;
    if (vars && typeof vars === 'object' && !Array.isArray(vars)) {
      Object.keys(vars)
        .slice(0, 64)
        .forEach(function (name) {
          var value = typeof vars[name] === 'number' ? String(vars[name]) : vars[name];
          if (CSS_VAR.test(name) && typeof value === 'string' && safeCssValue(value)) {
            root.style.setProperty(name, value);
          }
        });
    }
    if (typeof settings.start_message === 'string' && settings.start_message.trim()) {
      S.startMessage = settings.start_message.trim().slice(0, 500);
    }
  }

  function safeCssValue(value) {
    return (
      value.length > 0 &&
      value.length <= 256 &&
      !/[;{}<>"'\\\u0000-\u001f\u007f\u2028\u2029]/.test(value) &&
      !/(url|image|image-set|cross-fade|element|expression|attr|src)\s*\(/i.test(value) &&
      !/@import|javascript:/i.test(value)
    );
  }
})();
