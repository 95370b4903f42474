"""The call page of a real 183 s stereo phone call with its waveform: the first load (which measures the
recording's peak envelope) and the later ones (which read it back), against the same call without a recording.

    python benchmarks/waveform_page.py [--runs 5]

Needs ../shared/data/real/spokenwoz_MUL1011.opus (SpokenWOZ, Ogg Opus 8 kHz stereo). The turns are that
call's own turn boundaries (spokenwoz_sample.csv, alternately the customer's and the agent's, as in the
call); their text is a placeholder, scored like any call. A real `qualicall serve` (one HTTP worker) with
the recordings root on the folder of the real recordings; a coach signed in over HTTP. Reported: wall time
of each fetch, the page's size, the kept envelope's size.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

REAL = ROOT.parent / "shared" / "data" / "real"
RECORDING = REAL / "spokenwoz_MUL1011.opus"
COACH, PASSWORD = "bench.coach", "waveform-183s"
PHRASES = {
    "customer": "I need a train to Cambridge on Saturday and a table for two in the centre, please.",
    "agent": "Thank you for calling. I have booked the train and the restaurant; is there anything else I can do for you?",
}


def turns() -> list[dict]:
    rows = list(csv.DictReader((REAL / "spokenwoz_sample.csv").open(encoding="utf-8")))
    spans = [(int(r["start"]) / 8000, int(r["end"]) / 8000) for r in rows]
    role = ("customer", "agent")
    return [{"speaker": role[i % 2], "text": PHRASES[role[i % 2]], "start": round(a, 2), "end": round(b, 2)} for i, (a, b) in enumerate(spans)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not RECORDING.exists():
        print(f"{RECORDING} is absent", file=sys.stderr)
        return 2
    import httpx
    from api_server import Server, sign_in

    with tempfile.TemporaryDirectory() as folder:
        server = Server(Path(folder), env_extra={"QUALICALL_RECORDINGS_ROOT": str(REAL)})
        server.make_keys()
        server.make_user(COACH, PASSWORD)
        server.start()
        try:
            base = {"language": "en", "agent_id": "A-1", "turns": turns()}
            with server.client("crm") as crm:
                for interaction in ({**base, "id": "real-183s", "recording": RECORDING.name}, {**base, "id": "real-183s-text"}):
                    response = crm.post("/v1/interactions", json=interaction)
                    assert response.status_code == 201, response.text
            with httpx.Client(base_url=server.url, timeout=60) as http:
                assert sign_in(http, username=COACH, password=PASSWORD).status_code == 303
                for call in ("real-183s", "real-183s-text"):
                    times = []
                    for _ in range(args.runs + 1):
                        start = time.perf_counter()
                        page = http.get(f"/calls/{call}")
                        times.append(time.perf_counter() - start)
                        assert page.status_code == 200, page.status_code
                    has = 'id="waveform"' in page.text
                    print(f"{call}: waveform {'yes' if has else 'no'}, first load {times[0]:.3f} s, later loads median "
                          f"{statistics.median(times[1:]):.3f} s (worst {max(times[1:]):.3f} s, {args.runs} runs), page {len(page.content) / 1024:.0f} kB")
            kept = list((Path(folder) / "waveforms").glob("*.npz"))
            print(f"envelopes kept: {len(kept)}, {sum(p.stat().st_size for p in kept) / 1024:.1f} kB")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
