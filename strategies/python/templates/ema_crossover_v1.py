"""ema_crossover_v1: trend following on the close of each bar (the rules of the built-in ema_crossover).

* The fast EMA crosses above the slow EMA -> close shorts, open a long if none is open.
* The fast EMA crosses below the slow EMA -> close longs, open a short if none is open.
* SL = signal close -/+ ATR(atr_period) x sl_atr_mult; TP = entry +/- SL distance x rr (rr 0 = no TP).
* Volume sized so that a stop-out loses risk_percent of equity.
Prices are in quote currency, volume in lots, times UTC epoch milliseconds (docs/python-strategies.md).
"""
import botdesk as bd


class EmaCrossover(bd.Strategy):
    fast = bd.Int(12, min=1, max=10000, description="fast EMA period, bars (below slow)")
    slow = bd.Int(26, min=2, max=10000, description="slow EMA period, bars")
    atr_period = bd.Int(14, min=1, max=10000, description="ATR period for the stop-loss, bars")
    sl_atr_mult = bd.Float(2.0, min=0.01, max=100.0, step=0.1,
                           description="stop-loss distance from the signal close, in ATRs")
    rr = bd.Float(2.0, min=0.0, max=100.0, step=0.1,
                  description="take-profit distance as a multiple of the stop-loss distance; 0 = no take-profit")
    risk_percent = bd.Float(1.0, min=0.01, max=100.0, step=0.1,
                            description="equity lost when the stop-loss is hit, % of equity (sets the volume)")

    def validate_params(self):
        if self.fast >= self.slow:
            raise ValueError(f"'fast' ({self.fast}) must be below 'slow' ({self.slow})")

    def get_min_bars_needed(self):
        # The first cross can be seen one bar after the slow EMA is ready; a trade also needs the ATR.
        return max(self.fast, self.slow, self.atr_period)

    def on_start(self, ctx):
        # Fed with every bar's close (high/low/close for the ATR) before on_bar is called.
        self.fast_ema = bd.EMA(self.fast)
        self.slow_ema = bd.EMA(self.slow)
        self.atr = bd.ATR(self.atr_period)
        self.previous = None  # fast - slow at the previous close

    def on_bar(self, bar, ctx):
        slow = self.slow_ema
        if not slow.ready:  # fast < slow, so the fast EMA is ready too once the slow one is
            return
        spread = self.fast_ema.value - slow.value
        previous = self.previous
        self.previous = spread
        if previous is None:
            return
        if previous <= 0.0 < spread:
            self.cross(bd.BUY, bar, ctx)
        elif previous >= 0.0 > spread:
            self.cross(bd.SELL, bar, ctx)

    def cross(self, want, bar, ctx):
        already_in = False
        for position in ctx.positions:
            if position.side == want:
                already_in = True
            else:
                ctx.close_position(position.ticket, "ema cross")
        if already_in or not self.atr.ready:
            return
        stop = self.atr.value * self.sl_atr_mult
        sl = bar.close - stop if want == bd.BUY else bar.close + stop
        if not stop > 0.0 or sl <= 0.0:
            return
        ctx.open_trade(want, sl=sl, rr=self.rr, risk_percent=self.risk_percent,
                       comment="ema cross up" if want == bd.BUY else "ema cross down")
