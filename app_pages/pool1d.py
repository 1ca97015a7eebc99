"""1-D pooling lesson page (work in progress)."""
