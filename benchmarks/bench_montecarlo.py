"""Benchmark: the Monte Carlo engine, 10,000 draws of every module to 2045.

Runs ``scenarios/combined_ambitious.yaml`` (Export Center, two KIHI smelter phases,
connectivity) with ``simulation.end_year = 2045`` and no tornado. The one-off baseline fit
(``load_inputs``, cached on disk in normal use) is timed separately and excluded; the Monte
Carlo figure is the best of 3 runs.

    .venv/bin/python benchmarks/bench_montecarlo.py [--draws N] [--repeat R] [--profile]
                                                    [--processed DIR]
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from pathlib import Path

from kaltim_research.config import PROCESSED_DIR, PROJ_ROOT
from kaltim_research.models import engine
from kaltim_research.models.scenario import load_scenario, parse_scenario, reference_scenario

SCENARIO = Path(PROJ_ROOT) / "scenarios" / "combined_ambitious.yaml"
TARGET_S = 0.4  # issue 18: 10k draws to 2045 in at most 0.4 s
MEMORY_DRAWS = 100_000
MEMORY_TARGET_MB = 1024


def peak_memory_mb(draws: int, processed: str) -> float:
    """Peak RSS of a fresh process running ``draws`` draws to 2045 (the fit read from the
    cache): a separate process, so this run's own arrays do not count."""
    import subprocess
    import sys

    code = ("import resource, sys; sys.path.insert(0, sys.argv[1]); "
            "import bench_montecarlo as b; from pathlib import Path; "
            "from kaltim_research.models import engine; "
            "from kaltim_research.models.scenario import reference_scenario; "
            "s = b.scenario_to_2045(); i = engine.load_inputs(s.parameters, Path(sys.argv[2])); "
            "engine.run_scenario(s, reference=reference_scenario(b.SCENARIO), "
            "draws=int(sys.argv[3]), inputs=i, tornado=False); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), processed,
                          str(draws)], capture_output=True, text=True, check=True).stdout
    return int(out.split()[-1]) / 1024


def scenario_to_2045():
    s = load_scenario(SCENARIO)
    data = s.model_dump()
    data["parameters"]["simulation"]["end_year"] = 2045
    out = parse_scenario(data, str(SCENARIO))
    out._name = s.name
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--processed", default=str(PROCESSED_DIR))
    ap.add_argument("--profile", action="store_true",
                    help="also profile one run (automatic when slower than the target)")
    ap.add_argument("--no-memory", action="store_true",
                    help=f"skip the {MEMORY_DRAWS:,}-draw peak-memory run")
    args = ap.parse_args(argv)

    scenario = scenario_to_2045()
    ref = reference_scenario(SCENARIO)
    t0 = time.perf_counter()
    inputs = engine.load_inputs(scenario.parameters, Path(args.processed), use_cache=False)
    fit_s = time.perf_counter() - t0
    print(f"baseline fit (one-off, {len(inputs.fitted)} series, not cached): {fit_s:.2f} s")

    def once():
        return engine.run_scenario(scenario, reference=ref, draws=args.draws, inputs=inputs,
                                   tornado=False)

    once()  # warm-up (imports, first-call overheads)
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        run = once()
        times.append(time.perf_counter() - t)
    best = min(times)
    n_years = len(run.years)
    print(f"monte carlo: {args.draws:,} draws x {n_years} years "
          f"({int(run.years[0])}-{int(run.years[-1])}), all modules: {best:.2f} s "
          f"(best of {args.repeat}; runs: {', '.join(f'{x:.2f}' for x in times)})")
    t = time.perf_counter()
    engine.simulate(scenario, inputs, ref.parameters, args.draws,
                     scenario.parameters.simulation.seed)
    print(f"  of which _simulate (draws and modules): {time.perf_counter() - t:.2f} s")

    print(f"  target: at most {TARGET_S} s for 10,000 draws")
    if not args.no_memory:
        engine.load_inputs(scenario.parameters, Path(args.processed))  # cache the fit
        mb = peak_memory_mb(MEMORY_DRAWS, args.processed)
        print(f"peak memory, {MEMORY_DRAWS:,} draws to 2045 (fresh process): {mb:,.0f} MB "
              f"(target under {MEMORY_TARGET_MB:,} MB)")
    if args.profile or best > TARGET_S:
        if best > TARGET_S:
            print(f"slower than {TARGET_S} s: profile of one run")
        prof = cProfile.Profile()
        prof.enable()
        once()
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
        print(buf.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
