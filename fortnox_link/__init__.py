"""Fortnox Link: connects Extend Backend (orders, purchasing, stock) to Fortnox (accounting)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fortnox-link")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
