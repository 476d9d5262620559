/**
 * What the operations server serves for the web dashboard: the login page, the dashboard page and their static assets
 * (script, stylesheet, uPlot). The server only serves these bytes; it does not build them (src/server/dashboard/ does).
 */
export interface DashboardAssets {
  loginHtml(): string;
  dashboardHtml(): string;
  asset(name: string): { contentType: string; body: string | Buffer } | undefined;
}
