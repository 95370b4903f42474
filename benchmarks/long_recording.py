"""A long recording through the real service: peak memory of the API and of its audio worker, and /healthz latency.

    python benchmarks/long_recording.py --hours 4            # a 4-hour stereo silence (FLAC, made with ffmpeg)
    python benchmarks/long_recording.py --hours 1 --loop ../shared/data/real/spokenwoz_MUL1011.opus --language en
                                                             # a real call repeated for an hour: speech to decode

Starts `qualicall serve` on loopback (redaction on, as deployed), uploads the recording, polls its job and
/healthz every 0.2 s until it ends, then reads the peak resident memory (VmHWM) of the API process and of
the worker process. Silence is the hostile case of issue 17: a few hundred kB of FLAC that decode to
gigabytes of samples; `--loop` makes the hour of a recording repeated, whose speech is all decoded.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # this checkout's qualicall and test helpers

from api_server import Server, children  # noqa: E402


def peak_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hours", type=float, default=4.0)
    parser.add_argument("--rate", type=int, default=8000, help="sample rate of the recording (telephone: 8000)")
    parser.add_argument("--loop", type=Path, help="a recording repeated for the length, instead of silence")
    parser.add_argument("--language", default="fr", help="the recording's language (metadata)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="qualicall-long-"))
    recording = folder / "long.flac"
    seconds = args.hours * 3600
    source = ["-stream_loop", "-1", "-i", str(args.loop)] if args.loop else ["-f", "lavfi", "-i", f"anullsrc=r={args.rate}:cl=stereo"]
    subprocess.run(["ffmpeg", "-v", "error", *source, "-t", f"{seconds:g}", "-ar", str(args.rate), "-ac", "2", str(recording)], check=True)
    print(f"{recording.name}: {seconds / 3600:g} h stereo at {args.rate} Hz{f' ({args.loop.name} repeated)' if args.loop else ''}, "
          f"{recording.stat().st_size / 1e6:.2f} MB")
    server = Server(folder / "data", env_extra={"QUALICALL_REDACT": "on", "QUALICALL_MAX_RECORDING_HOURS": str(max(4.0, args.hours))})
    server.data_dir.mkdir()
    server.make_keys()
    server.start(timeout=600)  # a busy machine: the models take long to load
    latencies: list[float] = []
    worker_peak = 0.0
    try:
        with server.client("crm") as crm, recording.open("rb") as audio:
            started = time.monotonic()
            accepted = crm.post("/v1/interactions", files={"audio": (recording.name, audio)}, data={"metadata": json.dumps({"id": "long", "language": args.language})})
            accepted.raise_for_status()
            job_id = accepted.json()["id"]
            while (job := crm.get(f"/v1/jobs/{job_id}").json())["status"] not in ("succeeded", "failed"):
                ping = time.perf_counter()
                crm.get("/healthz").raise_for_status()
                latencies.append(time.perf_counter() - ping)
                for pid in children(server.process.pid):
                    try:
                        worker_peak = max(worker_peak, peak_mb(pid))
                    except (FileNotFoundError, RuntimeError):
                        pass  # a short-lived ffmpeg
                time.sleep(0.2)
            wall = time.monotonic() - started
            api_peak = peak_mb(server.process.pid)
    finally:
        server.stop()
    latencies.sort()
    figures = {
        "hours": seconds / 3600, "recording": args.loop.name if args.loop else "silence", "flac_mb": round(recording.stat().st_size / 1e6, 2), "status": job["status"], "error": job["error"],
        "wall_s": round(wall, 1), "audio_seconds": job["audio_seconds"], "api_peak_rss_mb": round(api_peak), "worker_peak_rss_mb": round(worker_peak),
        "healthz_ms": {q: round(1000 * latencies[int(f * (len(latencies) - 1))], 1) for q, f in (("median", 0.5), ("p99", 0.99), ("max", 1.0))},
        "healthz_over_200ms": sum(1 for latency in latencies if latency > 0.2), "healthz_n": len(latencies),
        "load_average": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
