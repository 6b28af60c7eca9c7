"""Coalition Mapper: the domain (models, privacy, analyses, formats, use cases, CLI)."""

__version__ = "0.1.0"
