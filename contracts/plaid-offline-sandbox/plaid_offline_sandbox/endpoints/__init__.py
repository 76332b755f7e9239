"""One module per endpoint the sandbox serves, each defining ``ENDPOINT`` (see ``endpoint``).

The app lists this package: adding a module here adds a route, and nothing else names it.
"""
