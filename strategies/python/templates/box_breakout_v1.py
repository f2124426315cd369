"""box_breakout_v1: trade the break of a consolidation box (the rules of the built-in box_breakout).

* The box is the highest high / lowest low of the previous box_bars bars (a Donchian channel).
* When flat and a bar CLOSES above the box top -> long; below the box bottom -> short.
* Optional filter: only boxes no taller than max_box_atr x ATR(atr_period) count (0 = any height).
* SL at the opposite side of the box; TP = entry +/- SL distance x rr; volume from risk_percent.
Prices are in quote currency, volume in lots, times UTC epoch milliseconds (docs/python-strategies.md).
"""
import botdesk as bd


class BoxBreakout(bd.Strategy):
    box_bars = bd.Int(60, min=2, max=10000,
                      description="bars in the box: the highest high and lowest low of the previous box_bars bars")
    atr_period = bd.Int(14, min=1, max=10000, description="ATR period for the box-height filter, bars")
    max_box_atr = bd.Float(3.0, min=0.0, max=1000.0, step=0.1,
                           description="tallest box that counts, in ATRs; 0 = any height")
    rr = bd.Float(1.5, min=0.0, max=100.0, step=0.1,
                  description="take-profit distance as a multiple of the stop-loss distance; 0 = no take-profit")
    risk_percent = bd.Float(1.0, min=0.01, max=100.0, step=0.1,
                            description="equity lost when the stop-loss is hit, % of equity (sets the volume)")

    def get_min_bars_needed(self):
        return max(self.box_bars, self.atr_period)

    def on_start(self, ctx):
        self.box = bd.Donchian(self.box_bars)  # includes the bar just closed
        self.atr = bd.ATR(self.atr_period)
        self.top = None  # the box of the PREVIOUS box_bars bars (kept from the last bar)
        self.bottom = None

    def on_bar(self, bar, ctx):
        top, bottom = self.top, self.bottom
        box = self.box
        if box.ready:  # this bar's box is the next bar's previous box
            self.top, self.bottom = box.upper, box.lower
        if top is None or not self.atr.ready or ctx.positions:
            return
        height = top - bottom
        if not height > 0.0:
            return
        if self.max_box_atr > 0.0 and not height <= self.max_box_atr * self.atr.value:
            return
        if bar.close > top:
            ctx.buy(sl=bottom, rr=self.rr, risk_percent=self.risk_percent, comment="box breakout up")
        elif bar.close < bottom:
            ctx.sell(sl=top, rr=self.rr, risk_percent=self.risk_percent, comment="box breakout down")
