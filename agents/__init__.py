"""The brain: a local intent recognizer (instant, offline) and pydantic-ai agents (when a model is set)."""
