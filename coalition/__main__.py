"""``python -m coalition`` runs the command line."""

from coalition.cli import main

main()
