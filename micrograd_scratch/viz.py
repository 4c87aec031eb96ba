"""The old name of the drawing package, micrograd_scratch.draw (kept until
the last `from . import viz` is gone)."""

from .draw import *  # noqa: F401,F403
from .draw import __all__  # noqa: F401
