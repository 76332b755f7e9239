"""The commands of ``python -m plaid_contracts``: ``run`` (the contract run), ``parity`` (replay a
recording against the offline sandbox) and ``try`` (one example request), and their arguments."""
