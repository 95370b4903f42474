"""Objects that live as long as the process: models, lexicons, rubrics, made where the cyclic collector does not run.

Loading them makes hundreds of thousands of container objects (spaCy's vocabulary and pipeline, a rubric's
validated models, the lexicons read back from the cache folder). Python's cyclic collector runs every few hundred
new containers and, now and then, over every one it tracks: during a first score it ran 389 times and took 0.4 s of
its 3 s of CPU, walking again and again objects that will never be garbage. Inside `long_lived` it does not run;
on leaving, every object then alive is moved out of its view (`gc.freeze`), so the collections that scoring's
short-lived objects trigger later never walk the models again.

The price, once per load: a reference cycle made inside and dropped before the end is never freed, and the objects
other threads hold at that moment are moved out of view with the rest.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def long_lived() -> Iterator[None]:
    """A block (or, as `@long_lived()`, a function) that makes objects meant to live as long as the process."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:  # (a block inside another leaves the outer one's setting alone)
            gc.enable()
