"""The Python contender of the bench: a ProcessPoolExecutor driven over stdin/stdout, one JSON command per
line, so that the Node harness can interleave its rounds with the other contenders'. Each command answers
one JSON line with the seconds it took, timed here with perf_counter (the pipe is not measured).

Commands: {"op": "start", "workers": 2}, {"op": "submit", "tasks": N, "inflight": K} (a sliding window of
K futures), {"op": "submit_all", "tasks": N} (submit every task, then result every future),
{"op": "map", "tasks": N, "chunksize": C}, {"op": "primes_sequential", "limits": [...]},
{"op": "primes_pool", "limits": [...]}, {"op": "close"}.
"""

import collections
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def noop(n):
    return n


def count_primes_below(limit):
    count = 0
    for n in range(2, limit):
        prime = True
        d = 2
        while d * d <= n:
            if n % d == 0:
                prime = False
                break
            d += 1
        if prime:
            count += 1
    return count


def submit_window(executor, tasks, inflight):
    window = collections.deque()
    for n in range(tasks):
        if len(window) == inflight:
            window.popleft().result()
        window.append(executor.submit(noop, n))
    while window:
        window.popleft().result()


def submit_all(executor, tasks):
    futures = [executor.submit(noop, n) for n in range(tasks)]
    for future in futures:
        future.result()


def main():
    executor = None
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        if op == "close":
            break
        started = time.perf_counter()
        if op == "start":
            executor = ProcessPoolExecutor(max_workers=command["workers"])
            # Start every worker before the first round.
            list(executor.map(noop, range(4 * command["workers"])))
        elif op == "submit":
            submit_window(executor, command["tasks"], command["inflight"])
        elif op == "submit_all":
            submit_all(executor, command["tasks"])
        elif op == "map":
            for _ in executor.map(noop, range(command["tasks"]), chunksize=command["chunksize"]):
                pass
        elif op == "primes_sequential":
            [count_primes_below(limit) for limit in command["limits"]]
        elif op == "primes_pool":
            futures = [executor.submit(count_primes_below, limit) for limit in command["limits"]]
            [future.result() for future in futures]
        else:
            raise ValueError(f"unknown command {op}")
        print(json.dumps({"seconds": time.perf_counter() - started}), flush=True)
    if executor is not None:
        executor.shutdown(wait=True)


if __name__ == "__main__":
    main()
