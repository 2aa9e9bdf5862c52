"""``python -m pipeline`` runs the ``mailledger`` command."""

from pipeline.cli import main

main()
