"""The local fast path: deterministic intent recognition (EN + DE) and handlers, no LLM."""
