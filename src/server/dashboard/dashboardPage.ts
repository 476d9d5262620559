/**
 * The dashboard page's HTML skeleton: the status header, the control panel and one panel per state surface, each
 * element the script fills or the browser test reads carrying a stable `data-testid`. The script
 * (`/assets/dashboard.js`) fills it from `GET /status` and `GET /events`; nothing here is inline script or style.
 */

const table = (id: string, columns: ReadonlyArray<string>): string =>
  `<div class="scroll"><table data-testid="${id}-table"><thead><tr>${columns.map((c) => `<th>${c}</th>`).join('')}</tr></thead>` +
  `<tbody id="${id}-body" data-testid="${id}-body"></tbody></table></div>`;

const panel = (id: string, title: string, body: string, wide = false): string =>
  `<section class="panel${wide ? ' wide' : ''}" id="${id}-panel" data-testid="${id}-panel"><h2>${title}</h2>${body}</section>`;

const header = `<header class="top" data-testid="status-header">
  <div class="row">
    <h1>tradewarden</h1>
    <span><span class="label">mode</span><span class="badge" id="status-mode" data-testid="status-mode">…</span></span>
    <span><span class="label">trading</span><span class="badge" id="status-trading" data-testid="status-trading">…</span></span>
    <span><span class="label">phase</span><span class="badge" id="status-phase" data-testid="status-phase">…</span></span>
    <span><span class="label">kill switch</span><span class="badge" id="status-kill" data-testid="status-kill">…</span></span>
    <span><span class="label">feed</span><span class="badge" id="feed-state" data-testid="feed-state">connecting</span></span>
    <button type="button" class="small" id="logout-button" data-testid="logout-button">Sign out</button>
  </div>
  <div class="row reasons" id="status-trading-reasons" data-testid="status-trading-reasons"></div>
  <div class="row"><span class="label">accounts</span><span class="chips" id="status-accounts" data-testid="status-accounts"></span></div>
  <div class="row"><span class="label">connections</span><span class="chips" id="status-connections" data-testid="status-connections"></span></div>
  <div class="row">
    <span><span class="label">heartbeat</span><span id="heartbeat-cycles" data-testid="heartbeat-cycles">–</span> cycles,
      last <span id="heartbeat-age" data-testid="heartbeat-age">–</span></span>
    <span class="chip muted" id="status-run" data-testid="status-run"></span>
  </div>
</header>`;

const controls = `<div class="controls">
  <div class="line">
    <input type="text" id="kill-reason" data-testid="kill-reason" placeholder="reason (journaled with the action)" maxlength="200">
    <label class="small"><input type="checkbox" id="kill-flatten" data-testid="kill-flatten"> flatten</label>
  </div>
  <div class="line">
    <button type="button" class="danger" id="kill-button" data-testid="kill-button">Kill switch</button>
    <button type="button" id="resume-button" data-testid="resume-button">Resume</button>
  </div>
  <div id="control-result" data-testid="control-result" role="status"></div>
</div>`;

const pnl = `<div class="pnl" data-testid="pnl">
  <span>equity <b class="mono" id="pnl-equity" data-testid="pnl-equity">–</b></span>
  <span>realized <b class="mono" id="pnl-realized" data-testid="pnl-realized">–</b></span>
  <span>unrealized <b class="mono" id="pnl-unrealized" data-testid="pnl-unrealized">–</b></span>
  <span>fees <b class="mono" id="pnl-fees" data-testid="pnl-fees">–</b></span>
  <span>day change <b class="mono" id="pnl-daily" data-testid="pnl-daily">–</b></span>
  <span>drawdown <b class="mono" id="pnl-drawdown" data-testid="pnl-drawdown" title="fall from the session's equity peak">–</b></span>
  <span>trades <b id="counter-trades" data-testid="counter-trades">–</b></span>
  <span>fills <b id="counter-fills" data-testid="counter-fills">–</b></span>
</div>
<div class="chart" id="equity-chart" data-testid="equity-chart"></div>`;

/** The dashboard page's HTML. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>tradewarden · dashboard</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/uPlot.min.css">
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/uPlot.iife.min.js" defer></script>
<script src="/assets/dashboard.js" defer></script>
</head>
<body>
${header}
<main>
${panel('controls', 'Controls', controls)}
${panel('pnl', 'Equity and PnL', pnl)}
${panel('positions', 'Positions', table('positions', ['account', 'symbol', 'side', 'quantity', 'entry', 'mark', 'uPnL', 'TP', 'SL', 'protected', '']), true)}
${panel('orders', 'Working orders', table('orders', ['account', 'symbol', 'client order id', 'side', 'type', 'quantity', 'price', 'reduce-only', 'state']), true)}
${panel('actors', 'Actors', table('actors', ['account', 'symbol', 'state', 'control', 'stopped']))}
${panel('gates', 'Symbol gates', table('gates', ['account', 'symbol', 'blocked', 'quarantined', 'paused', '']))}
${panel('strategies', 'Strategies', table('strategies', ['strategy', 'enabled', '']))}
${panel('vetoes', 'Vetoes by reason', table('vetoes', ['reason', 'count']))}
${panel('alerts', 'Active alerts', '<ul class="plain" id="alerts-list" data-testid="alerts-list"></ul>')}
${panel('connections', 'Connections', table('connections', ['account', 'stream', 'state', 'live', 'sockets', 'invalid frames']))}
${panel('events', 'Live events', '<ul class="plain" id="event-log" data-testid="event-log"></ul>', true)}
</main>
</body>
</html>
`;
