"""Benchmarks: each module has ``main()`` that prints figures (no assertions)."""
