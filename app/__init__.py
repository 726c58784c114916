"""Composition root, CLI and GUI of the personal assistant."""

APP_NAME = "personal-agent"
__version__ = "0.1.0"
