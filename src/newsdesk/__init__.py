"""newsdesk: a self-hosted news aggregator and publisher."""

__version__ = "0.1.0"
