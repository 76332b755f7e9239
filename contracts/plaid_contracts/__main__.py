"""``python -m plaid_contracts``: see cli.py."""

import sys

from plaid_contracts.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
