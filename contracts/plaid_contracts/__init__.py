"""The contract suite runner: proves, request by request, that spec, client and target agree.

Entry point: ``python -m plaid_contracts run|parity|try`` (the nox sessions ``contracts``,
``parity`` and ``try``).
"""
