"""bbws-scaffold: LLD markdown -> ServiceSpec -> generated Lambda service repository."""

__version__ = "0.1.0"
