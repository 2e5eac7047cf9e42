"""Helpers shared by the test suites: a real HTTP server on 127.0.0.1 (``httpserver``)."""
