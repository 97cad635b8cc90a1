"""The JSON API under /api/: one module per group of resources, pydantic models in `models`."""
