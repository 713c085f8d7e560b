"""The founder's flows in the browser; the fixtures are shared with tests/security (tests/support/browser.py)."""
