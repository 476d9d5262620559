/**
 * The dashboard's browser script (`/assets/dashboard.js`): reads `GET /status` on every `GET /events` event and at
 * most every 2 s otherwise, keeps the last 200 events as a log, and calls the control routes when the operator asks
 * (X-OBS-3: it decides nothing itself and writes nothing but those requests). Plain browser JavaScript, no inline
 * handlers, so the page runs under `Content-Security-Policy: default-src 'self'`.
 */
import { RENDER_JS } from './dashboardRender.ts';

/** How often the page reads `/status` when no event arrives, in milliseconds. */
export const STATUS_POLL_MS = 2_000;

/** How many events the live log keeps. */
export const EVENT_LOG_SIZE = 200;

const MAIN_JS = `
  var KINDS = ['transition', 'fill', 'veto', 'order', 'alert', 'control', 'gate', 'journal'];
  var refreshing = false, again = false, pollTimer = null, lastStatus = null, fetchedAt = 0, source = null;

  function toLogin() { window.location.assign('/login'); }

  function render(s) {
    lastStatus = s; fetchedAt = performance.now();
    renderHeader(s); renderPnl(s); renderTables(s); appendPoint(s); tickAge();
    document.body.setAttribute('data-status-at', String(s.at));
    if (source !== null && source.readyState === EventSource.OPEN) setBadge('feed-state', 'live', 'live');
  }

  function tickAge() {
    var s = lastStatus, out = byId('heartbeat-age');
    if (s === null || s.heartbeat.wallLastCycleAt === null) { out.textContent = DASH; return; }
    var ms = Math.max(0, s.wallAt - s.heartbeat.wallLastCycleAt + (performance.now() - fetchedAt));
    out.textContent = (ms / 1000).toFixed(1) + ' s ago';
  }

  function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    if (pollTimer !== null) { clearTimeout(pollTimer); pollTimer = null; }
    fetch('/status', { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (res) {
        if (res.status === 401) { toLogin(); return null; }
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (s) { if (s !== null) render(s); })
      .catch(function (e) { setBadge('feed-state', 'status: ' + e.message, 'down'); })
      .then(function () {
        refreshing = false;
        if (again) { again = false; refresh(); } else { pollTimer = setTimeout(refresh, ${STATUS_POLL_MS}); }
      });
  }

  function logEvent(kind, raw) {
    var e;
    try { e = JSON.parse(raw); } catch (err) { e = { id: null, at: null, account: null, data: raw }; }
    var summary = JSON.stringify(e.data);
    if (summary && summary.length > 300) summary = summary.slice(0, 299) + '…';
    var li = el('li', { 'data-testid': 'event-row', 'data-kind': kind, 'data-id': e.id }, [
      el('span', { class: 'muted', text: (e.id === null ? '' : '#' + e.id + ' ') + clockTime(e.at) + ' ' }),
      el('span', { class: 'kind', text: kind }),
      (e.account ? e.account + ' ' : '') + (summary || ''),
    ]);
    var log = byId('event-log');
    log.insertBefore(li, log.firstChild);
    while (log.children.length > ${EVENT_LOG_SIZE}) log.removeChild(log.lastChild);
  }

  function connect() {
    source = new EventSource('/events');
    source.addEventListener('open', function () { setBadge('feed-state', 'live', 'live'); });
    source.addEventListener('error', function () {
      setBadge('feed-state', source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting', 'down');
      // A closed stream is most often an expired login: the status read tells (401 goes to the login page).
      if (source.readyState === EventSource.CLOSED) refresh();
    });
    KINDS.concat(['message']).forEach(function (kind) {
      source.addEventListener(kind, function (m) { logEvent(kind, m.data); refresh(); });
    });
  }

  function result(message, failed) {
    var out = byId('control-result');
    out.textContent = message;
    out.className = failed ? 'failed' : '';
  }

  function act(label, path, body) {
    result(label + ': sending…', false);
    return fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) {
        if (res.status === 401) { toLogin(); return; }
        return res.text().then(function (t) {
          var json = null;
          try { json = JSON.parse(t); } catch (err) { json = null; }
          var detail = json !== null && typeof json === 'object' ? (json.detail || json.message || json.error || '') : t;
          var ok = res.ok && !(json !== null && json.ok === false);
          if (res.status === 429) detail = 'rate limited; retry after ' + (res.headers.get('retry-after') || '?') + ' s';
          result(label + ': ' + (ok ? 'done' : 'refused (HTTP ' + res.status + ')') + (detail ? ' — ' + detail : ''), !ok);
        });
      })
      .catch(function (e) { result(label + ': failed — ' + e.message, true); })
      .then(refresh);
  }

  function reason() { return byId('kill-reason').value.trim(); }

  byId('kill-button').addEventListener('click', function () {
    var why = reason(), flatten = byId('kill-flatten').checked;
    if (why === '') { result('kill: give a reason first', true); byId('kill-reason').focus(); return; }
    if (!window.confirm('Engage the kill switch on every account' + (flatten ? ' and flatten every position' : '') + '? Reason: ' + why)) return;
    void act('kill', '/control/kill', { reason: why, flatten: flatten });
  });
  byId('resume-button').addEventListener('click', function () {
    if (!window.confirm('Clear the kill switch and resume trading?')) return;
    var why = reason();
    void act('resume', '/control/resume', why === '' ? {} : { reason: why });
  });
  document.querySelector('main').addEventListener('click', function (e) {
    var b = e.target instanceof Element ? e.target.closest('button[data-action]') : null;
    if (b === null) return;
    var action = b.getAttribute('data-action'), symbol = b.getAttribute('data-symbol'), strategy = b.getAttribute('data-strategy');
    var why = reason() || 'dashboard';
    if (action === 'flatten' && window.confirm('Flatten the ' + symbol + ' position (reduce-only close)?')) {
      void act('flatten ' + symbol, '/control/flatten/' + encodeURIComponent(symbol), { reason: why });
    } else if (action === 'unblock' && window.confirm('Lift the entry block on ' + symbol + '?')) {
      void act('unblock ' + symbol, '/control/symbols/' + encodeURIComponent(symbol) + '/unblock', { reason: why });
    } else if (action === 'enable' || action === 'disable') {
      void act(action + ' ' + strategy, '/control/strategies/' + encodeURIComponent(strategy) + '/' + action, { reason: why });
    }
  });
  byId('logout-button').addEventListener('click', function () {
    fetch('/auth/logout', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: '{}' })
      .catch(function () { return null; })
      .then(toLogin);
  });

  setInterval(tickAge, 1000);
  connect();
  refresh();
`;

/** The dashboard page's script. */
export const DASHBOARD_JS = `(function () {
  'use strict';
${RENDER_JS}
${MAIN_JS}
})();
`;
