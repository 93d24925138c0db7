"""eels."""
