"""Switchover: keeps an organisation informed and heard while it moves to Microsoft 365.

This package is the domain. It never imports ``botbuilder`` or ``aiohttp``:
the Teams edge lives in ``bot/``, hosting in ``app.py``.
"""

__version__ = "0.1.0"
