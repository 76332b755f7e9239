"""``python -m plaid_contracts``: see cli.py."""

import sys

from plaid_contracts.commands.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
