"""derive: machine-checked derivations of machine-learning maths.

The data flows one way:

    registry of names (derive.registry)  ->  pipeline (derive.pipeline: build, verify)
    ->  verifier (derive.verify)  ->  renderers (derive.render)  ->  build driver
    (derive.build.driver)

The library (derive.library, derive.numeric) registers its builders by name and imports
neither the verifier nor the renderers; tests/test_architecture.py keeps it so.

Importing ``derive`` is cheap; submodules are imported on use.
"""

from __future__ import annotations

import os

__version__ = "0.1.0"

# SymPy remembers the expressions it builds in caches of 1000 entries; verifying the library
# builds far more, and a larger cache saves about 5 % of the time.  Read by SymPy when it is
# imported, so it has effect only when derive is imported first (as by the command line).
SYMPY_CACHE_SIZE = "50000"
os.environ.setdefault("SYMPY_CACHE_SIZE", SYMPY_CACHE_SIZE)
