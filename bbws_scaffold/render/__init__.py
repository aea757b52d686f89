"""Rendering: ``ServiceSpec`` -> generated repository (copier blueprints)."""
