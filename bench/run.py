#!/usr/bin/env python3
# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Run the benchmarks and print one JSON document (`make bench`).

A benchmark is a module bench/bench_<topic>.py with a function::

    def run():
        "Measure something; return a list of results"
        return [{'name': 'document reminders, 1000 documents',
                 'value': 0.42, 'unit': 's'}]

Each result is a dict with at least `name`, `value` and `unit`; anything
else JSON can hold (sizes, counts, parameters) may be added.  Keys with a
common meaning:

    backend   'sqlite' or 'postgresql' for a figure measured on a database,
              None for one measured without
    target    the figure a result should reach, e.g. '<= 100' (in `unit`)
    met       whether `value` reaches `target` (with `target` only)
    skipped   why a result could not be measured (`value` is then None)

A benchmark
sets up what it needs itself (a database through trytond's test tools, for
example) and cleans up after itself.  Benchmarks are never run by the test
targets, and tests never time anything.

The document, also written to bench/results/latest.json (git-ignored)::

    {"machine": {"python": ..., "implementation": ..., "platform": ...,
                 "machine": ..., "cpu_count": ...},
     "commit": <git HEAD or null>, "started": <UTC ISO 8601>,
     "benchmarks": [{"module": "bench_x", "seconds": <wall time of run()>,
                     "loadavg": [<1-minute load average before, after>],
                     "results": [...]}  or  {"module": ..., "error": ...}],
     "targets": {"met": [<module: name (backend)>...], "missed": [...]}}

The load averages tell how much else ran on the machine meanwhile: the
figures are wall times, and other processes on the same cores stretch them.

Usage: python bench/run.py [NAME...]   (NAME: bench_x or x; default all)
The exit status is 1 when a benchmark raised, 0 otherwise.
"""
import datetime as dt
import importlib
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / 'results' / 'latest.json'


def machine():
    return {
        'python': platform.python_version(),
        'implementation': platform.python_implementation(),
        'platform': platform.platform(),
        'machine': platform.machine(),
        'cpu_count': os.cpu_count(),
        }


def commit():
    try:
        return subprocess.run(
            ['git', 'rev-parse', 'HEAD'], cwd=HERE, capture_output=True,
            text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def discover(names=()):
    modules = sorted(p.stem for p in HERE.glob('bench_*.py'))
    if names:
        wanted = {
            n if n.startswith('bench_') else 'bench_' + n for n in names}
        unknown = wanted - set(modules)
        if unknown:
            sys.exit(f"unknown benchmark: {', '.join(sorted(unknown))}")
        modules = [m for m in modules if m in wanted]
    return modules


def loadavg():
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def run_one(name):
    try:
        module = importlib.import_module(name)
        load = loadavg()
        start = time.perf_counter()
        results = module.run()
        seconds = time.perf_counter() - start
        return {
            'module': name,
            'seconds': round(seconds, 6),
            'loadavg': [load, loadavg()],
            'results': list(results or []),
            }
    except Exception:
        return {
            'module': name,
            'error': traceback.format_exc(limit=5),
            }


def targets(benchmarks):
    "Return the names of the results with a target, met and missed"
    summary = {'met': [], 'missed': []}
    for benchmark in benchmarks:
        for result in benchmark.get('results', []):
            if 'met' not in result:
                continue
            name = f"{benchmark['module']}: {result['name']}"
            if result.get('backend'):
                name += f" ({result['backend']})"
            summary['met' if result['met'] else 'missed'].append(name)
    return summary


def main(argv):
    sys.path.insert(0, str(HERE))
    document = {
        'machine': machine(),
        'commit': commit(),
        'started': dt.datetime.now(dt.timezone.utc).isoformat(
            timespec='seconds'),
        'benchmarks': [],
        }
    for name in discover(argv):
        print(f"bench: {name}", file=sys.stderr)
        document['benchmarks'].append(run_one(name))
    document['targets'] = targets(document['benchmarks'])
    text = json.dumps(document, indent=2, default=str)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text + '\n')
    print(text)
    return 1 if any('error' in b for b in document['benchmarks']) else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
