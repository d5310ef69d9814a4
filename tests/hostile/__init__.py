"""Hostile input (issue 14): one test per attack, each docstring one line saying what it proves.

Every attack runs against 127.0.0.1 (or a resolver stub) and shows the expected, bounded
behaviour. Files group the attacks by where they enter: URL policy, fetch bounds,
extraction bounds, drafts (the one sanitiser), state under faults, configuration.
"""
