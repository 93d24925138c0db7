"""Tests of the benchmarks: the referee's EIS corpus, its checks and its harness."""
