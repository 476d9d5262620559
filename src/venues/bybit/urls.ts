/**
 * Bybit v5 hosts and REST paths, and the resolution of a config's environment plus overrides into concrete URLs.
 * Pure; performs no I/O.
 */
import type { BybitConfig, BybitEndpointGroup, BybitEnvironment } from './BybitConfig.ts';

/** The documented hosts per environment (notes §1.1, §1.4). `sim` has none: its URLs come from overrides. */
export const bybitHosts: Readonly<Record<Exclude<BybitEnvironment, 'sim'>, { readonly rest: string; readonly wsPublicLinear: string; readonly wsPrivate: string }>> = {
  mainnet: {
    rest: 'https://api.bybit.com',
    wsPublicLinear: 'wss://stream.bybit.com/v5/public/linear',
    wsPrivate: 'wss://stream.bybit.com/v5/private',
  },
  testnet: {
    rest: 'https://api-testnet.bybit.com',
    wsPublicLinear: 'wss://stream-testnet.bybit.com/v5/public/linear',
    wsPrivate: 'wss://stream-testnet.bybit.com/v5/private',
  },
};

/** The REST paths the adapter calls. */
export const BybitPaths = {
  serverTime: '/v5/market/time',
  instruments: '/v5/market/instruments-info',
  orderbook: '/v5/market/orderbook',
  kline: '/v5/market/kline',
  createOrder: '/v5/order/create',
  amendOrder: '/v5/order/amend',
  cancelOrder: '/v5/order/cancel',
  cancelAll: '/v5/order/cancel-all',
  openOrders: '/v5/order/realtime',
  orderHistory: '/v5/order/history',
  executions: '/v5/execution/list',
  positions: '/v5/position/list',
  tradingStop: '/v5/position/trading-stop',
  setLeverage: '/v5/position/set-leverage',
  switchMode: '/v5/position/switch-mode',
  walletBalance: '/v5/account/wallet-balance',
} as const;

export type BybitPath = (typeof BybitPaths)[keyof typeof BybitPaths];

/** The client-side rate-limit group of each path. */
export const bybitEndpointGroup = (path: BybitPath): BybitEndpointGroup => {
  if (path.startsWith('/v5/market/')) return 'market';
  if (path.startsWith('/v5/order/') || path === BybitPaths.executions) return 'order';
  if (path.startsWith('/v5/position/')) return 'position';
  return 'account';
};

/** Concrete URLs for one adapter instance. */
export interface BybitUrls {
  readonly rest: string;
  readonly wsPublic: string;
  readonly wsPrivate: string;
}

const stripSlash = (url: string): string => url.replace(/\/+$/, '');

/** Returns the URLs for the config: overrides win; `sim` derives WS URLs from `baseUrl` (http→ws, Bybit's paths). */
export const resolveBybitUrls = (config: BybitConfig): BybitUrls => {
  if (config.environment === 'sim') {
    if (config.baseUrl === undefined) throw new Error('BybitConfig: environment "sim" needs baseUrl');
    const rest = stripSlash(config.baseUrl);
    const wsBase = rest.replace(/^http/, 'ws');
    return {
      rest,
      wsPublic: config.wsPublicUrl ?? `${wsBase}/v5/public/linear`,
      wsPrivate: config.wsPrivateUrl ?? `${wsBase}/v5/private`,
    };
  }
  const hosts = bybitHosts[config.environment];
  return {
    rest: stripSlash(config.baseUrl ?? hosts.rest),
    wsPublic: config.wsPublicUrl ?? hosts.wsPublicLinear,
    wsPrivate: config.wsPrivateUrl ?? hosts.wsPrivate,
  };
};
