"""Independent check of config/backtests/sma-cross-spy.yaml with backtrader (mementum/backtrader 1.9.78.123).

Same rules as tradewarden's sma-cross: SMA(10)/SMA(30) cross on closes, long only, decided on the close of bar t and
filled at the open of bar t+1 (cheat-on-open: the order is sized and sent at t+1's open with t's indicator values),
all in (quantity = cash / (open x (1 + fee)), floored to 0.0001), fee 0.1 % of notional per side, 100,000 cash,
SPY raw daily bars 2010-01-04 ... 2020-12-31. Backtrader is not a dependency of this repository: put its `backtrader`
package on PYTHONPATH (pure Python, no other packages needed) and run
    PYTHONPATH=<dir holding backtrader> python3 scripts/parity/backtrader_sma_cross.py data/us-equity-1d/SPY_1d_raw.csv
It prints one JSON line: final value, total PnL, closed trades, fees.
"""
import datetime
import json
import math
import sys

import backtrader as bt


class SmaCross(bt.Strategy):
    params = dict(fast=10, slow=30, fee=0.001)

    def __init__(self):
        self.cross = bt.ind.CrossOver(bt.ind.SMA(self.data.close, period=self.p.fast), bt.ind.SMA(self.data.close, period=self.p.slow))
        self.closed = 0
        self.fees = 0.0
        self.entries = []

    def next_open(self):
        # Indicators still hold bar t's values here; the order fills at this bar's open.
        if not self.position and self.cross[0] > 0:
            price = self.data.open[0]
            size = math.floor(self.broker.getcash() / (price * (1 + self.p.fee)) * 10000) / 10000
            self.buy(size=size)
            self.entries.append(bt.num2date(self.data.datetime[0]).date().isoformat())
        elif self.position and self.cross[0] < 0:
            self.close()

    def notify_order(self, order):
        if order.status == order.Completed:
            self.fees += order.executed.comm

    def notify_trade(self, trade):
        if trade.isclosed:
            self.closed += 1


def main(path):
    cerebro = bt.Cerebro(cheat_on_open=True, stdstats=False)
    data = bt.feeds.GenericCSVData(
        dataname=path, dtformat='%Y-%m-%d', datetime=0, open=1, high=2, low=3, close=4, volume=5, openinterest=-1,
        fromdate=datetime.datetime(2010, 1, 4), todate=datetime.datetime(2020, 12, 31), headers=True)
    cerebro.adddata(data)
    cerebro.addstrategy(SmaCross)
    cerebro.broker.setcash(100000.0)
    cerebro.broker.setcommission(commission=0.001)
    cerebro.broker.set_coc(False)
    strat = cerebro.run()[0]
    value = cerebro.broker.getvalue()
    print(json.dumps({'finalValue': round(value, 6), 'totalPnl': round(value - 100000.0, 6), 'closedTrades': strat.closed,
                      'entries': len(strat.entries), 'fees': round(strat.fees, 6), 'firstEntries': strat.entries[:3]}))


if __name__ == '__main__':
    main(sys.argv[1])
