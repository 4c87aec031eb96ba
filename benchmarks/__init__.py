"""Benchmarks: micrograd_scratch against micrograd 0.1.0, PyTorch and a
hand-written pure-Python floor. Run `python benchmarks/run.py` (or
`--quick`); see RESULTS.md for one run. Not part of the installed package."""
