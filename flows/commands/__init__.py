"""One module per CLI command or command group."""
