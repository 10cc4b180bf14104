"""ddas: deliver DDAS debt-assistance (SHV) data to CBS by API."""

__version__ = "0.1.0"
