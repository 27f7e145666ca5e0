"""Runnable examples: ``python -m parallel_animate.examples.<name> [OUTPUT]``."""
