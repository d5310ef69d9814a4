"""The LLM client every stage that asks a model shares: one seam, structured answers."""
