"""One start-up round of Python's ProcessPoolExecutor in a fresh interpreter, for the start-up comparison:
starts a pool of 4 processes, runs 4 empty tasks on it (one per worker: `submit` starts a worker while none
is idle), prints how long the pool took from its creation to the 4 results as one JSON line (the parent times
the whole process up to that line), then shuts the pool down.
"""

import json
import time
from concurrent.futures import ProcessPoolExecutor


def noop(n):
    return n


if __name__ == "__main__":
    started = time.perf_counter()
    executor = ProcessPoolExecutor(max_workers=4)
    results = [future.result() for future in [executor.submit(noop, n) for n in range(1, 5)]]
    pool = time.perf_counter() - started
    if results != [1, 2, 3, 4]:
        raise RuntimeError(f"wrong results: {results}")
    print(json.dumps({"pool": pool}), flush=True)
    executor.shutdown()
