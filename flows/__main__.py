"""`python -m flows` is the `painmap` CLI."""

from flows.cli import main

main()
