"""The ``digest`` command line."""
