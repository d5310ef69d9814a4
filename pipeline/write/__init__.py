"""Write stage: what the LLM writes for each format, and its extractive fallbacks."""
