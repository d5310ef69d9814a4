"""Stories stage: duplicates, relevance, clusters, ranking, sections, no repeats."""
