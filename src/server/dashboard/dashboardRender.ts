/**
 * The first half of the dashboard's browser script: DOM helpers and the renderers that turn one `GET /status` answer
 * (StatusView, src/ops/types.ts) into the header, the tables and the chart. It only displays: money stays the decimal
 * string the API gives (the chart alone converts it to a number to draw), and no text is ever parsed as HTML.
 */

/** Plain browser JavaScript, spliced into the dashboard script's closure (no backticks, no `${`, no backslashes). */
export const RENDER_JS = `
  var DASH = '–';
  function byId(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null) return;
      if (k === 'text') e.textContent = String(v);
      else if (k === 'class') e.className = v;
      else e.setAttribute(k, String(v));
    });
    (children || []).forEach(function (c) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function text(v) { return v === null || v === undefined || v === '' ? DASH : String(v); }
  function td(v, cls) { return el('td', { text: text(v), class: cls }); }
  function badge(label, cls, attrs) { var a = attrs || {}; a.text = label; a.class = 'badge ' + (cls || ''); return el('span', a); }
  function setBadge(id, label, cls) { var b = byId(id); b.textContent = label; b.className = 'badge ' + (cls || ''); return b; }
  function fillBody(id, rows, columns) {
    var body = byId(id + '-body');
    if (rows.length === 0) rows = [el('tr', { 'data-testid': id + '-empty' }, [el('td', { colspan: columns, class: 'empty', text: 'none' })])];
    body.replaceChildren.apply(body, rows);
  }
  function button(label, attrs, cls) { var a = attrs; a.type = 'button'; a.text = label; a.class = 'small ' + (cls || ''); return el('button', a); }
  // A decimal fraction as a percentage by moving the point (exact; truncated to three places): '0.0123456' is '1.234 %'.
  function percent(f) {
    var m = typeof f === 'string' ? /^(-?)([0-9]+)(?:[.]([0-9]+))?$/.exec(f) : null;
    if (m === null) return text(f);
    var digits = (m[3] || '') + '00000';
    var whole = (m[2] + digits.slice(0, 2)).replace(/^0+(?=[0-9])/, ''), frac = digits.slice(2, 5).replace(/0+$/, '');
    return m[1] + whole + (frac === '' ? '' : '.' + frac) + ' %';
  }
  function clockTime(ms) { return typeof ms === 'number' ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : DASH; }

  function renderHeader(s) {
    setBadge('status-mode', s.mode, s.mode === 'LIVE' ? 'warn' : '');
    var trading = setBadge('status-trading', s.trading.on ? 'ON' : 'OFF', s.trading.on ? 'on' : 'off');
    trading.setAttribute('data-on', String(s.trading.on));
    byId('status-trading-reasons').textContent = s.trading.on ? '' : s.trading.reasons.join(' · ');
    setBadge('status-phase', s.phase, s.phase === 'trading' ? 'on' : 'warn');
    var killed = s.accounts.filter(function (a) { return a.killSwitch.engaged; });
    var kill = setBadge('status-kill', killed.length > 0 ? 'ENGAGED' : 'off', killed.length > 0 ? 'engaged' : 'up');
    kill.setAttribute('data-engaged', String(killed.length > 0));
    kill.title = killed.map(function (a) { return a.name + ': ' + text(a.killSwitch.reason) + (a.killSwitch.flatten ? ' (flatten)' : ''); }).join('; ');
    byId('status-accounts').replaceChildren.apply(byId('status-accounts'), s.accounts.map(function (a) {
      var deps = Object.keys(a.dependencies).map(function (d) { return d + ' ' + a.dependencies[d]; }).join(', ');
      var parts = [a.name + ' (' + a.kind + ')', 'gate ' + (a.gateOpen ? 'open' : 'closed'), a.tradingState];
      if (a.killSwitch.engaged) parts.push('kill: ' + text(a.killSwitch.reason));
      if (a.brokerDesync) parts.push('broker desync');
      if (deps !== '') parts.push(deps);
      var cls = a.gateOpen && !a.killSwitch.engaged && !a.brokerDesync ? 'up' : 'down';
      return badge(parts.join(' · '), cls, { 'data-testid': 'account-gate', 'data-account': a.name, 'data-gate': a.gateOpen ? 'open' : 'closed', title: a.endpoint });
    }));
    byId('status-connections').replaceChildren.apply(byId('status-connections'), s.connections.map(function (c) {
      return badge(c.account + '/' + c.stream + ': ' + c.state, c.live ? 'live' : 'down', { 'data-testid': 'connection-chip', 'data-live': String(c.live) });
    }));
    byId('heartbeat-cycles').textContent = String(s.heartbeat.cycles);
    byId('status-run').textContent = 'run ' + s.runId + ' · ' + s.profile + ' · ' + s.clock + ' clock · session time ' + clockTime(s.at) +
      ' · v' + s.version + (s.commit ? ' ' + s.commit.slice(0, 8) : '');
  }

  function renderPnl(s) {
    byId('pnl-equity').textContent = text(s.pnl.equity);
    byId('pnl-realized').textContent = text(s.pnl.realized);
    byId('pnl-unrealized').textContent = text(s.pnl.unrealized);
    byId('pnl-fees').textContent = text(s.pnl.fees);
    byId('pnl-daily').textContent = text(s.pnl.dailyChange);
    byId('pnl-drawdown').textContent = percent(s.pnl.drawdown);
    byId('counter-trades').textContent = String(s.counters.trades);
    byId('counter-fills').textContent = String(s.counters.fills);
  }

  function renderTables(s) {
    fillBody('positions', s.positions.map(function (p) {
      return el('tr', { 'data-testid': 'position-row', 'data-account': p.account, 'data-symbol': p.symbol }, [
        td(p.account), td(p.symbol), td(p.side), el('td', { class: 'num', 'data-testid': 'position-quantity', text: text(p.quantity) }), td(p.entryPrice, 'num'), td(p.markPrice, 'num'),
        td(p.unrealizedPnl, 'num'), td(p.takeProfit, 'num'), td(p.stopLoss, 'num'),
        el('td', {}, [badge(p.protected ? 'yes' : 'NO', p.protected ? 'up' : 'down', { 'data-testid': 'position-protected' })]),
        el('td', {}, [button('Flatten', { 'data-action': 'flatten', 'data-symbol': p.symbol, 'data-testid': 'flatten-button' })]),
      ]);
    }), 11);
    fillBody('orders', s.workingOrders.map(function (o) {
      return el('tr', { 'data-testid': 'order-row', 'data-symbol': o.symbol }, [
        td(o.account), td(o.symbol), el('td', { class: 'mono', text: o.clientOrderId }), td(o.side), td(o.type), td(o.quantity, 'num'),
        td(o.price, 'num'), td(o.reduceOnly ? 'yes' : 'no'), td(o.state),
      ]);
    }), 9);
    fillBody('actors', s.actors.map(function (a) {
      return el('tr', { 'data-testid': 'actor-row', 'data-account': a.account, 'data-symbol': a.symbol }, [
        td(a.account), td(a.symbol), el('td', { class: 'mono', 'data-testid': 'actor-state', text: a.state }),
        el('td', {}, [badge(a.control, a.control === 'running' ? 'up' : 'down')]), td(a.stopped ? 'yes' : 'no'),
      ]);
    }), 5);
    var gates = [];
    s.accounts.forEach(function (a) {
      a.symbolGates.forEach(function (g) {
        var action = g.blocked !== null ? button('Unblock', { 'data-action': 'unblock', 'data-symbol': g.symbol, 'data-testid': 'unblock-button' }) : '';
        gates.push(el('tr', { 'data-testid': 'gate-row', 'data-account': a.name, 'data-symbol': g.symbol }, [
          td(a.name), td(g.symbol), td(g.blocked), td(g.quarantined), td(g.paused), el('td', {}, [action]),
        ]));
      });
    });
    fillBody('gates', gates, 6);
    fillBody('strategies', s.strategies.map(function (st) {
      return el('tr', { 'data-testid': 'strategy-row', 'data-strategy': st.id }, [
        td(st.id), el('td', {}, [badge(st.enabled ? 'enabled' : 'disabled', st.enabled ? 'up' : 'down')]),
        el('td', {}, [button(st.enabled ? 'Disable' : 'Enable', { 'data-action': st.enabled ? 'disable' : 'enable', 'data-strategy': st.id, 'data-testid': 'strategy-toggle' })]),
      ]);
    }), 3);
    var reasons = Object.keys(s.vetoes).sort(function (a, b) { return s.vetoes[b] - s.vetoes[a] || (a < b ? -1 : 1); });
    fillBody('vetoes', reasons.map(function (r) {
      return el('tr', { 'data-testid': 'veto-row', 'data-reason': r }, [td(r), td(s.vetoes[r], 'num')]);
    }), 2);
    var alerts = s.alerts.map(function (k) { return el('li', { 'data-testid': 'alert-item', text: k }); });
    byId('alerts-list').replaceChildren.apply(byId('alerts-list'), alerts.length > 0 ? alerts : [el('li', { class: 'empty', text: 'none' })]);
    fillBody('connections', s.connections.map(function (c) {
      return el('tr', { 'data-testid': 'connection-row' }, [
        td(c.account), td(c.stream), el('td', { class: 'mono', text: c.state }), el('td', {}, [badge(c.live ? 'live' : 'down', c.live ? 'live' : 'down')]),
        td(c.sockets, 'num'), td(c.invalidFrames, 'num'),
      ]);
    }), 6);
  }

  // The equity/PnL chart: one point per status answer (a fill event triggers one), x in session seconds.
  var chart = { plot: null, xs: [], equity: [], pnl: [], max: 5000 };
  function num(v) { if (v === null || v === undefined) return null; var n = Number(v); return isFinite(n) ? n : null; }
  function chartWidth() { return Math.max(240, byId('equity-chart').clientWidth); }
  function appendPoint(s) {
    var x = s.at / 1000, eq = num(s.pnl.equity), r = num(s.pnl.realized), u = num(s.pnl.unrealized);
    var pnl = r === null || u === null ? null : r + u;
    var last = chart.xs.length - 1;
    if (last >= 0 && x <= chart.xs[last]) { chart.equity[last] = eq; chart.pnl[last] = pnl; }
    else { chart.xs.push(x); chart.equity.push(eq); chart.pnl.push(pnl); }
    if (chart.xs.length > chart.max) { chart.xs.shift(); chart.equity.shift(); chart.pnl.shift(); }
    if (typeof uPlot !== 'function') return;
    var data = [chart.xs, chart.equity, chart.pnl];
    if (chart.plot === null) {
      chart.plot = new uPlot({
        width: chartWidth(), height: 220, scales: { x: { time: true } }, legend: { live: false },
        series: [{}, { label: 'equity', stroke: '#2563eb', width: 1.5, scale: 'eq' }, { label: 'realized + unrealized', stroke: '#16a34a', width: 1.5, scale: 'pnl' }],
        axes: [{}, { scale: 'eq', size: 70 }, { scale: 'pnl', side: 1, size: 60, grid: { show: false } }],
      }, data, byId('equity-chart'));
      window.addEventListener('resize', function () { chart.plot.setSize({ width: chartWidth(), height: 220 }); });
    } else {
      chart.plot.setData(data);
    }
    byId('equity-chart').setAttribute('data-points', String(chart.xs.length));
  }
`;
