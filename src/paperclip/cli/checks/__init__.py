"""Doctor checks, one module per check; `base` holds the result type, `runner` the order and repairs."""
