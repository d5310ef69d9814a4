"""Text safety every stage uses: secrets masked, hostile markup and characters removed."""
