"""The editor's review page: ``digest review --serve``, a local web app over ``output/``.

Plain functions do the work: ``dates`` (the list of dates), ``markup`` and ``view`` (a
draft as safe HTML with its flags and claims), ``citations`` and ``sources`` (the source
pane), ``edits`` and ``markers`` (actions on the document model), ``saving`` (atomic,
locked, conflict-checked writes) and ``pages`` (what each page shows). ``app`` holds the
thin Starlette handlers and ``server`` binds them to loopback. Nothing here is imported
unless the page is served.
"""
