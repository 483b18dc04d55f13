"""Live sources: one package per source type, behind the small interface in `base`."""
