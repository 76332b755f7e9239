"""One module per Plaid endpoint: everything the suite knows about that endpoint, and nothing
else does."""
