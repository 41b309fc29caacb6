"""derive: machine-checked derivations of machine-learning maths.

The data flows one way:

    library (derive.library)  ->  verifier (derive.verify)  ->  renderers (derive.render)
    -> build driver (derive.render.build)

Importing ``derive`` is cheap; submodules are imported on use.
"""

from __future__ import annotations

__version__ = "0.1.0"
