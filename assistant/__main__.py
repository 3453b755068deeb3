"""``python -m assistant`` runs the brief CLI."""

from assistant.cli import main

main()
