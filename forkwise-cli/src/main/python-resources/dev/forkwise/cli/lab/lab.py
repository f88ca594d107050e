"""The Python guides' own code, timed for `forkwise lab --with-python`.

Usage: python3 lab.py EXPERIMENT [ARGS...]. Prints one JSON object on its last line: the figures
the lab sets beside its Java rows. Only the standard library is used.
"""
import json
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import Lock, Process, Value, shared_memory


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --- the Beginner's Guide: square four numbers, each taking a (sleeping) second -----------------

def square_slowly(n, seconds):
    time.sleep(seconds)
    return n * n


def sleeping_squares(seconds):
    seconds = float(seconds)
    numbers = [1, 2, 3, 4]

    def loop():
        for n in numbers:
            square_slowly(n, seconds)

    def threads(k):
        def run():
            with ThreadPoolExecutor(max_workers=k) as ex:
                list(ex.map(lambda n: square_slowly(n, seconds), numbers))
        return run

    return {"loop": timed(loop), "threads4": timed(threads(4)), "threads2": timed(threads(2))}


# --- the GIL guide: sum(i * i for i in range(n)), four times ---------------------------------------

def expensive_calculation(n):
    return sum(i * i for i in range(n))


def sum_of_squares(n, tasks):
    n, tasks = int(n), int(tasks)
    numbers = [n] * tasks
    cores = os.cpu_count()
    out = {"loop": timed(lambda: [expensive_calculation(x) for x in numbers])}
    for k in sorted({tasks, cores}):
        with ThreadPoolExecutor(max_workers=k) as ex:
            out["threads%d" % k] = timed(lambda: list(ex.map(expensive_calculation, numbers)))
    with ProcessPoolExecutor(max_workers=tasks) as ex:
        list(ex.map(expensive_calculation, [1] * tasks))  # start the workers
        out["processes%d" % tasks] = timed(lambda: list(ex.map(expensive_calculation, numbers)))
    return out


# --- the GIL guide: the shared counter ---------------------------------------------------------

def add_plain(counter, n):
    for _ in range(n):
        counter.value += 1


def add_locked(counter, lock, n):
    for _ in range(n):
        with lock:
            counter.value += 1


def shared_counter(n, processes):
    n, processes = int(n), int(processes)
    out = {}
    for way in ("plain", "locked"):
        counter = Value("i", 0, lock=False) if way == "plain" else Value("i", 0)
        lock = Lock()
        target = add_plain if way == "plain" else add_locked
        args = (counter, n) if way == "plain" else (counter, lock, n)
        ps = [Process(target=target, args=args) for _ in range(processes)]
        start = time.perf_counter()
        for p in ps:
            p.start()
        for p in ps:
            p.join()
        out[way + "_seconds"] = time.perf_counter() - start
        out[way + "_lost"] = n * processes - counter.value
    return out


# --- the guides: a crash in one process ----------------------------------------------------------

def square_or_exit(i):
    if i == 7:
        os._exit(1)
    return i * i


def crash_isolation(tasks):
    tasks = int(tasks)
    ok = 0
    broken = 0
    with ProcessPoolExecutor(max_workers=2) as ex:
        futures = [ex.submit(square_or_exit, i) for i in range(tasks)]
        for f in futures:
            try:
                f.result(timeout=60)
                ok += 1
            except Exception:
                broken += 1
        try:
            ex.submit(square_or_exit, 1).result(timeout=60)
            new_work = 1
        except Exception:
            new_work = 0
    return {"ok": ok, "failed": broken, "new_work": new_work}


# --- the GIL guide: tiny tasks, `x * 2` -----------------------------------------------------------

def multiply_by_two(x):
    return x * 2


def tiny_tasks(n):
    n = int(n)
    items = range(n)
    cores = os.cpu_count()
    out = {"loop": timed(lambda: [multiply_by_two(x) for x in items])}
    with ThreadPoolExecutor(max_workers=cores) as ex:
        out["threads"] = timed(lambda: list(ex.map(multiply_by_two, items)))
    with ProcessPoolExecutor(max_workers=cores) as ex:
        list(ex.map(multiply_by_two, range(cores)))  # start the workers
        out["processes"] = timed(lambda: list(ex.map(multiply_by_two, items)))
        chunk = max(1, n // (4 * cores))
        out["processes_chunked"] = timed(lambda: list(ex.map(multiply_by_two, items,
                                                             chunksize=chunk)))
    return out


# --- pool sizes: computing on processes, waiting on threads -------------------------------------

def sizing_computing(n, tasks, sizes):
    n, tasks = int(n), int(tasks)
    numbers = [n] * tasks
    loop = timed(lambda: [expensive_calculation(x) for x in numbers])
    out = {"loop": loop}
    for k in [int(s) for s in sizes.split(",")]:
        with ProcessPoolExecutor(max_workers=k) as ex:
            list(ex.map(expensive_calculation, [1] * k))
            out[str(k)] = loop / timed(lambda: list(ex.map(expensive_calculation, numbers)))
    return out


def nap(ms):
    time.sleep(ms / 1000.0)
    return ms


def sizing_waiting(tasks, ms, sizes):
    tasks, ms = int(tasks), int(ms)
    out = {}
    for k in [int(s) for s in sizes.split(",")]:
        with ThreadPoolExecutor(max_workers=k) as ex:
            out[str(k)] = timed(lambda: list(ex.map(nap, [ms] * tasks)))
    return out


# --- passing large data: pickled through the pool, or shared memory ------------------------------

def checksum(data):
    return sum(data[::4096])


def checksum_shared(name, size):
    shm = shared_memory.SharedMemory(name=name)
    # before 3.13 an attaching process registers the segment with its resource tracker too,
    # which then warns about a "leak" it does not own
    from multiprocessing import resource_tracker
    try:
        resource_tracker.unregister(shm._name, "shared_memory")
    except Exception:
        pass
    try:
        return sum(shm.buf[:size:4096])
    finally:
        shm.close()


def large_data(mib):
    size = int(mib) * 1024 * 1024
    data = bytes(size)
    out = {}
    with ProcessPoolExecutor(max_workers=1) as ex:
        ex.submit(checksum, b"x").result()
        out["pickled"] = timed(lambda: ex.submit(checksum, data).result())
        shm = shared_memory.SharedMemory(create=True, size=size)
        try:
            shm.buf[:size] = data
            out["shared"] = timed(lambda: ex.submit(checksum_shared, shm.name, size).result())
        finally:
            shm.close()
            shm.unlink()
    return out


# --- many waits on a thread pool -----------------------------------------------------------------

def many_sleepers(tasks, ms, threads):
    tasks, ms, threads = int(tasks), int(ms), int(threads)
    with ThreadPoolExecutor(max_workers=threads) as ex:
        return {"seconds": timed(lambda: list(ex.map(nap, [ms] * tasks)))}


EXPERIMENTS = {
    "sleeping-squares": sleeping_squares,
    "sum-of-squares": sum_of_squares,
    "shared-counter": shared_counter,
    "crash-isolation": crash_isolation,
    "tiny-tasks": tiny_tasks,
    "sizing-computing": sizing_computing,
    "sizing-waiting": sizing_waiting,
    "large-data": large_data,
    "many-sleepers": many_sleepers,
}

if __name__ == "__main__":
    result = EXPERIMENTS[sys.argv[1]](*sys.argv[2:])
    sys.stdout.write(json.dumps(result) + "\n")
