/**
 * Whether a URL names a simulator on this machine (X-MOD-7: a PAPER session may reach only a simulator on loopback or
 * a venue's testnet, never production by URL). Pure.
 */

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Returns why a simulator URL is not a plain loopback base URL (`http(s)://127.0.0.1|localhost|[::1][:port]`), or
 * undefined when it is one.
 */
export const loopbackUrlProblem = (raw: string): string | undefined => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `Expected a loopback URL like http://127.0.0.1:18080, got ${JSON.stringify(raw)}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `Expected an http(s) URL, got ${JSON.stringify(raw)}`;
  if (!LOOPBACK_HOSTS.has(url.hostname)) return `the simulator must be on loopback (127.0.0.1, localhost or [::1]), got host ${url.hostname}`;
  if (url.username !== '' || url.password !== '') return 'a simulator URL carries no credentials';
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') return `Expected a base URL without path, query or fragment, got ${JSON.stringify(raw)}`;
  return undefined;
};
