"""Import Presidio without the deep-learning stack it never runs for us.

`presidio_analyzer` imports transformers' pipelines and torch at import time
(10–20 s at each process start where those are installed, as in the test and
`transformers`-embedding environments) for its Hugging Face NER engine. Our
analyzers run on spaCy pipelines only, so both are hidden while Presidio's
modules load; Presidio's own guards then treat them as absent. Code imported
later (the transformers embedding backend) sees them as usual.
"""

from __future__ import annotations

import sys

from qualicall.models.hidden import hidden


def import_presidio() -> None:
    if "presidio_analyzer" in sys.modules:
        return
    try:
        with hidden("transformers", "torch"):
            import presidio_analyzer  # noqa: F401
            import presidio_analyzer.nlp_engine  # noqa: F401
            import presidio_analyzer.predefined_recognizers  # noqa: F401
    except ImportError:
        pass  # Presidio absent: deployment_redactor reports it when redaction is on
