"""Benchmarks of interphase: scripts that measure how well the analyses recover known truth."""
