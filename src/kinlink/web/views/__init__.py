"""The pages: one module per screen, each a router over the core."""
