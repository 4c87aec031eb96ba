"""One module per exercise, named as the exercise is (`exercises.py`):
each has `CHECKS`, a list of `runner.Check`, run in order on the
learner's file. `graphs.py` builds the small graphs they share."""

from __future__ import annotations

import importlib

__all__ = ["checks_for"]


def checks_for(name: str) -> list:
    """The checks of the exercise called `name` ("local_grads")."""
    return importlib.import_module(f"{__name__}.{name}").CHECKS
