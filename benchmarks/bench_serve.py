"""Load test of ``accord serve`` on loopback: concurrent clients editing and reading.

Starts ``accord serve`` on the bundled case in a subprocess, then

1. one client alone makes 40 edits (the latency an analyst sees after an edit: request
   round trip and the server's own time for the fast models), and
2. ``--clients`` clients (default 50) loop for ``--seconds`` (default 60): each alternates an
   edit of a random actor's salience on a random issue (POST /api/edit) with a read of the
   forecasts (GET /api/forecasts) and, every fifth turn, a page (GET /forecasts).

Prints the number of requests, errors (any status other than 200, or a failed request)
and p50/p95 latency per kind of request. Client and server share the machine.

    python benchmarks/bench_serve.py [--clients 50] [--seconds 60] [--case ukraine]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time

import httpx
import numpy as np


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(case: str, port: int, out: str) -> subprocess.Popen[bytes]:
    log = open(os.path.join(out, "server.log"), "wb")  # noqa: SIM115 - kept open for the server's life
    proc = subprocess.Popen([sys.executable, "-m", "accord.cli.main", "serve", case, "--port", str(port), "--out", out],
                            stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
    end = time.time() + 120
    while time.time() < end:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/jobs/latest", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not start")


def percentiles(values: list[float]) -> str:
    if not values:
        return "no requests"
    ms = 1000 * np.asarray(values)
    return f"n={len(values):6d}  p50 {np.percentile(ms, 50):7.1f} ms  p95 {np.percentile(ms, 95):7.1f} ms  max {ms.max():7.1f} ms"


async def single_client(base: str, token: str, cells: list[tuple[str, str]], n: int) -> None:
    rng = random.Random(1)
    trips, server_ms = [], []
    async with httpx.AsyncClient(base_url=base, headers={"x-csrf-token": token}, timeout=30) as client:
        for _ in range(n):
            actor, issue = rng.choice(cells)
            t0 = time.perf_counter()
            got = await client.post("/api/edit", json={"actor": actor, "issue": issue, "salience": round(rng.uniform(0.05, 1), 3)})
            trips.append(time.perf_counter() - t0)
            got.raise_for_status()
            server_ms.append(got.json()["ms"] / 1000)
    print(f"one client, edit round trip:        {percentiles(trips)}")
    print(f"one client, server time per edit:   {percentiles(server_ms)}")


async def load(base: str, token: str, cells: list[tuple[str, str]], clients: int, seconds: float) -> int:
    latencies: dict[str, list[float]] = {"edit": [], "read": [], "page": []}
    errors: list[str] = []
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def one(k: int, client: httpx.AsyncClient) -> None:
        rng = random.Random(k)
        turn = 0
        while time.perf_counter() < stop:
            actor, issue = rng.choice(cells)
            kind = "edit" if turn % 2 == 0 else "page" if turn % 5 == 0 else "read"
            t0 = time.perf_counter()
            try:
                if kind == "edit":
                    got = await client.post("/api/edit", json={"actor": actor, "issue": issue,
                                                               "salience": round(rng.uniform(0.05, 1), 3)})
                else:
                    got = await client.get("/forecasts" if kind == "page" else "/api/forecasts")
                if got.status_code != 200:
                    errors.append(f"{kind}: status {got.status_code} {got.text[:80]}")
            except httpx.HTTPError as exc:
                errors.append(f"{kind}: {type(exc).__name__}")
            latencies[kind].append(time.perf_counter() - t0)
            turn += 1

    async with httpx.AsyncClient(base_url=base, headers={"x-csrf-token": token}, timeout=60, limits=limits) as client:
        await asyncio.gather(*(one(k, client) for k in range(clients)))
    total = sum(len(v) for v in latencies.values())
    print(f"{clients} clients for {seconds:.0f} s: {total} requests ({total / seconds:.1f}/s), {len(errors)} errors")
    for kind, values in latencies.items():
        print(f"  {kind:5s} {percentiles(values)}")
    print(f"  all   {percentiles([v for vs in latencies.values() for v in vs])}")
    for e in sorted(set(errors))[:10]:
        print("  error:", e)
    return len(errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--case", default="ukraine")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="accord-bench-serve-") as out:
        proc = start_server(args.case, port, out)
        try:
            base = f"http://127.0.0.1:{port}"
            page = httpx.get(f"{base}/forecasts", timeout=30).text
            token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
            cells = sorted(set(re.findall(r'aria-label="(\S+) salience on (\S+)" value="[0-9.]+"', page)))
            asyncio.run(single_client(base, token, cells, 40))
            errors = asyncio.run(load(base, token, cells, args.clients, args.seconds))
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        server_log = open(os.path.join(out, "server.log"), encoding="utf-8", errors="replace").read().strip()
        if server_log:
            print("server log (last lines):", *server_log.splitlines()[-15:], sep="\n  ")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
