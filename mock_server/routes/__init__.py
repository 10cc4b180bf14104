"""The mock's routes, one module per resource; each exposes `router`."""
