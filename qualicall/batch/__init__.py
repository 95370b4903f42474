"""`qualicall batch`: a night's recordings and transcripts scored on every core, resumably.

    items.py    what SOURCE holds: records to score, each with its resume key (planning, manifests)
    journal.py  the output JSONL: append + fsync per write, torn last line repaired, keys already done
    work.py     the worker side (scorer, transcriber, redaction), shared by the process pool and Ray actors
    local.py    the process-pool backend; ray_backend.py the Ray backend
    runner.py   planning → skipping what is done → dispatching → writing, with the progress bar and summary
    cli.py      the command
"""

# The batch's failures file beside its output (`<out>.failures.jsonl`): what `report` leaves out when a glob takes it.
FAILURES_SUFFIX = ".failures.jsonl"
