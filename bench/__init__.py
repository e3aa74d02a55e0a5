"""Benchmarks of agentdb (see bench/README.md): repository hot paths, growth curve, HTTP."""
