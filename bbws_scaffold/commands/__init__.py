"""CLI glue: one module per command group; library modules never import these."""
