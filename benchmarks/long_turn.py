"""Cost of one long agent turn (issue 17, finding 3): seconds to score a call whose middle agent turn is N bytes.

    python benchmarks/long_turn.py 10000 40000 1000000

The turn repeats five ordinary sentences, among them a « donc » summary and a question, so that
every check has work on it. Wall and CPU seconds per size, after a warm-up that loads the models;
the machine may be shared, so the load average is printed with the figures.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qualicall.core.interaction import Interaction  # noqa: E402
from qualicall.scorer.engine import Scorer  # noqa: E402

SENTENCES = [
    "Je regarde votre dossier tout de suite.",
    "Donc votre colis est parti hier du dépôt de Lyon et il arrive demain matin chez vous.",
    "Vous recevrez un SMS avec le créneau de livraison.",
    "Est-ce que cela vous convient ?",
    "Je vous ai envoyé la confirmation par e-mail",
]


def agent_turn(size: int) -> str:
    words, length = [], 0
    while length < size:
        words.append(SENTENCES[len(words) % len(SENTENCES)])
        length += len(words[-1].encode()) + 1
    return " ".join(words)


def call(middle: str) -> Interaction:
    turns = [("agent", "Bonjour, Transports Alizé, que puis-je faire pour vous ?"), ("customer", "Mon colis n'est pas arrivé, il devait arriver hier."),
             ("agent", middle), ("customer", "Merci."), ("agent", "Merci de votre appel, au revoir.")]
    return Interaction.model_validate({"id": "long", "channel": "voice", "language": "fr",
                                       "turns": [{"speaker": s, "text": t, "start": 5.0 * i, "end": 5.0 * i + 4.5} for i, (s, t) in enumerate(turns)]})


def main(sizes: list[int]) -> None:
    scorer = Scorer("default-fr")
    scorer.score(call(agent_turn(3000)))
    for size in sizes:
        interaction = call(agent_turn(size))
        wall, cpu = time.perf_counter(), time.process_time()
        scorer.score(interaction)
        print(f"{size:>9} bytes: {time.perf_counter() - wall:7.2f} s wall, {time.process_time() - cpu:7.2f} s CPU  (load {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [10_000, 40_000, 1_000_000])
