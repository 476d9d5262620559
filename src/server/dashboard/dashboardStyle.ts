/**
 * The stylesheet of the login page and the dashboard (served as `/assets/dashboard.css`): a single column on a phone
 * (375 px: tables scroll inside their panel, the page itself never overflows), a grid of panels on wider screens.
 * Pure text; no external fonts or images.
 */

/** The CSS of both pages. */
export const DASHBOARD_CSS = `
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #0f172a; background: #f1f5f9; overflow-x: hidden; }
h1 { font-size: 18px; margin: 0; }
h2 { font-size: 14px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .04em; color: #475569; }
button { font: inherit; padding: 6px 12px; border-radius: 6px; border: 1px solid #94a3b8; background: #fff; cursor: pointer; }
button:disabled { opacity: .5; cursor: default; }
button.danger { background: #dc2626; border-color: #b91c1c; color: #fff; font-weight: 600; }
button.small { padding: 2px 8px; font-size: 12px; }
input[type=text], input[type=password] { font: inherit; padding: 6px 8px; border: 1px solid #94a3b8; border-radius: 6px; min-width: 0; width: 100%; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.muted { color: #64748b; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-weight: 600; font-size: 12px; background: #e2e8f0; white-space: nowrap; }
.badge.on, .badge.up, .badge.live { background: #dcfce7; color: #166534; }
.badge.off, .badge.down, .badge.engaged { background: #fee2e2; color: #991b1b; }
.badge.warn { background: #fef9c3; color: #854d0e; }

header.top { background: #0f172a; color: #f8fafc; padding: 10px 12px; }
header.top .row { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; }
header.top .row + .row { margin-top: 6px; }
header.top .label { color: #94a3b8; font-size: 12px; margin-right: 4px; }
header.top .badge { background: #334155; color: #f8fafc; }
header.top .badge.on, header.top .badge.up, header.top .badge.live { background: #166534; color: #f0fdf4; }
header.top .badge.off, header.top .badge.down, header.top .badge.engaged { background: #b91c1c; color: #fef2f2; }
header.top .badge.warn { background: #a16207; color: #fefce8; }
header.top .reasons { color: #fca5a5; font-size: 12px; overflow-wrap: anywhere; }
header.top .chips { display: flex; flex-wrap: wrap; gap: 4px 8px; min-width: 0; }
header.top .chip { font-size: 12px; overflow-wrap: anywhere; }
header.top .chips .badge { white-space: normal; overflow-wrap: anywhere; max-width: 100%; }

main { display: grid; grid-template-columns: minmax(0, 1fr); gap: 10px; padding: 10px; }
@media (min-width: 900px) { main { grid-template-columns: repeat(2, minmax(0, 1fr)); } .wide { grid-column: 1 / -1; } }
.panel { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 10px; min-width: 0; }
.scroll { overflow-x: auto; max-width: 100%; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e2e8f0; white-space: nowrap; }
th { color: #475569; font-weight: 600; font-size: 12px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.empty { color: #94a3b8; font-style: italic; }

.controls { display: grid; grid-template-columns: minmax(0, 1fr); gap: 8px; }
.controls .line { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.controls .line > input[type=text] { flex: 1 1 160px; width: auto; }
#control-result { font-size: 12px; overflow-wrap: anywhere; min-height: 1.4em; }
#control-result.failed { color: #b91c1c; }

.chart { width: 100%; min-height: 220px; overflow: hidden; }
.pnl { display: flex; flex-wrap: wrap; gap: 4px 16px; margin-bottom: 6px; font-size: 13px; }
.pnl span { min-width: 0; overflow-wrap: anywhere; }

ul.plain { list-style: none; margin: 0; padding: 0; }
ul.plain li { padding: 2px 0; overflow-wrap: anywhere; }
#event-log { max-height: 320px; overflow-y: auto; overflow-x: hidden; }
#event-log li { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; border-bottom: 1px solid #f1f5f9; overflow-wrap: anywhere; word-break: break-word; }
#event-log .kind { font-weight: 600; margin-right: 6px; }

.login { max-width: 360px; margin: 12vh auto 0; padding: 0 12px; }
.login form { display: grid; gap: 10px; background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 16px; }
.login label { display: grid; gap: 4px; font-size: 13px; color: #475569; }
.login .error { color: #b91c1c; font-size: 13px; min-height: 1.2em; overflow-wrap: anywhere; }
`;
