"""The editor's review page: ``digest review --serve``, a local web app over ``output/``.

Plain functions do the work (``dates``, ``view``, ``citations``, ``sources``, ``edits``,
``saving``); ``app`` holds the thin Starlette handlers and ``server`` binds it to
loopback. Nothing here is imported unless the page is served.
"""
