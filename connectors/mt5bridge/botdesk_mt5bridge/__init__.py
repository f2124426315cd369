"""botdesk_mt5bridge: the terminal-side mt5b v1 bridge (docs/mt5b-protocol.md) over MetaQuotes' MetaTrader5 package.

Runs next to the MT5 terminal on the trader's Windows machine; BotDesk connects to it over WebSocket. See README.md.
"""
__version__ = "1.0.0"
PROTOCOL_MAJOR = 1
PROTOCOL_MINOR = 0
SUBPROTOCOL = "mt5b.v1"
