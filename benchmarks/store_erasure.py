"""What erasure costs on a SQLite store, and what zeroing deleted content (`PRAGMA secure_delete`) costs the writes.

    python benchmarks/store_erasure.py [--contacts 2000] [--words 400]

Builds two stores in a temporary folder from one real result (examples/call-fr.json scored once) stored under many ids,
each contact's transcript made of `--words` varied words (what the search index holds): one with secure_delete on (as
`qualicall.store.db` opens every SQLite file), one with it off, in the same run. Prints, for each, the CPU and wall
time to store every contact, then to store each again (a second version: the contact's row rewritten), then to erase
one contact with everything kept of it (`erase_contacts`: index merged, log emptied), then to purge half of them.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(work) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--words", type=int, default=400)
    args = parser.parse_args()

    from datetime import datetime, timedelta, timezone

    from sqlalchemy import event

    from qualicall.core.interaction import Interaction
    from qualicall.core.result import Result
    from qualicall.scorer.engine import Scorer
    from qualicall.service.erasure import erase_contacts, purge
    from qualicall.settings import Settings
    from qualicall.store.db import Store
    from qualicall.store.repository import save_scored

    example = json.loads((ROOT / "examples" / "call-fr.json").read_text(encoding="utf-8"))
    result = Scorer().score(Interaction.model_validate(example)).to_json()
    vocabulary = sorted({word for turn in example["turns"] for word in turn["text"].split()})
    rng = random.Random(20261206)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)

    def contact(n: int) -> tuple[Interaction, Result]:
        words = " ".join(rng.choice(vocabulary) + str(rng.randrange(1000)) for _ in range(args.words))
        data = {**example, "id": f"bench-{n:06d}", "started_at": (start + timedelta(hours=n)).isoformat(),
                "turns": [*example["turns"], {"speaker": "customer", "text": words}]}
        return Interaction.model_validate(data), Result.model_validate({**result, "interaction_id": data["id"], "started_at": data["started_at"]})

    contacts = [contact(n) for n in range(args.contacts)]
    print(f"{args.contacts} contacts of {args.words} extra words each")
    for secure in ("on", "off"):
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(data_dir=Path(folder), database_url=None)
            store = Store(settings.url)

            @event.listens_for(store.engine, "connect")
            def _secure(dbapi_connection, _record, value=secure):  # type: ignore[no-untyped-def]
                dbapi_connection.execute(f"PRAGMA secure_delete={value}")

            store.engine.dispose()  # the connections opened so far: made again with the listener

            def store_all() -> None:
                for interaction, scored in contacts:
                    with store.session() as session:
                        save_scored(session, interaction, scored)

            first, again = timed(store_all), timed(store_all)
            one = timed(lambda: erase_contacts(store, settings, [contacts[len(contacts) // 2][0].id]))
            half = timed(lambda: purge(store, settings, start + timedelta(hours=len(contacts) // 2)))
            size = sum(path.stat().st_size for path in Path(folder).glob("qualicall.db*")) / 1e6
            store.close()
        print(f"secure_delete {secure:3s}: store {first[0]:.2f} s CPU ({first[1]:.2f} wall); store again {again[0]:.2f} "
              f"({again[1]:.2f}); erase one {one[0]:.3f} ({one[1]:.3f}); purge half {half[0]:.2f} ({half[1]:.2f}); files {size:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
