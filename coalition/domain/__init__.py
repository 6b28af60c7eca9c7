"""The domain: models and their validation, privacy (the one place that redacts for an
audience), the error hierarchy and the settings read once at the edge."""
