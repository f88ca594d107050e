"""Python's side of `forkwise bench`: one workload per run, standard library only.

Usage: python3 workloads.py WORKLOAD [ARG]

Prints one line on stdout: tab-separated key=value pairs, with at least impl, value and unit
(and p50/p99 for the one-by-one workloads). The Java side (BenchCommand) runs the same workloads,
interleaved with these, and prints both with their ratio.
"""

import asyncio
import concurrent.futures as cf
import multiprocessing as mp
import os
import sys
import threading
import time


def noop(_=None):
    return None


def double(x):
    return x * 2


def sum_of_squares(n):
    return sum(i * i for i in range(n))


def emit(workload, impl, value, unit, **extra):
    fields = {"workload": workload, "impl": impl, "value": value, "unit": unit}
    fields.update(extra)
    print("\t".join("%s=%s" % (k, v) for k, v in fields.items()))


def percentile(sorted_values, q):
    i = min(len(sorted_values) - 1, int(round(q * (len(sorted_values) - 1))))
    return sorted_values[i]


def one_by_one(submit_and_wait, n):
    """Mean and percentiles (in microseconds) of n submit-then-wait calls, after n/4 warm-ups."""
    for _ in range(max(1, n // 4)):
        submit_and_wait()
    times = []
    for _ in range(n):
        t = time.perf_counter_ns()
        submit_and_wait()
        times.append((time.perf_counter_ns() - t) / 1e3)
    times.sort()
    return sum(times) / n, percentile(times, 0.5), percentile(times, 0.99)


def submit_tpe(n):
    with cf.ThreadPoolExecutor(os.cpu_count()) as ex:
        mean, p50, p99 = one_by_one(lambda: ex.submit(noop).result(), n)
    emit("submit-noop", "ThreadPoolExecutor", mean, "us/op", p50=p50, p99=p99)


def submit_ppe(n):
    with cf.ProcessPoolExecutor(os.cpu_count()) as ex:
        mean, p50, p99 = one_by_one(lambda: ex.submit(noop).result(), n)
    emit("submit-noop", "ProcessPoolExecutor", mean, "us/op", p50=p50, p99=p99)


def submit_mp_apply_async(n):
    with mp.Pool(os.cpu_count()) as pool:
        mean, p50, p99 = one_by_one(lambda: pool.apply_async(noop).get(), n)
    emit("submit-noop", "multiprocessing.Pool.apply_async", mean, "us/op", p50=p50, p99=p99)


WARM_UPS = 5  # as many as forkwise's side runs (JavaWorkloads.PIPELINED_WARM_UPS)


def pipelined(submit_all, n):
    """Tasks per second of n submits, then n waits: best of 3 after the warm-up runs."""
    for _ in range(WARM_UPS):
        submit_all(n)
    best = 0.0
    for _ in range(3):
        t = time.perf_counter()
        submit_all(n)
        best = max(best, n / (time.perf_counter() - t))
    return best


def submit_ppe_pipelined(n):
    with cf.ProcessPoolExecutor(os.cpu_count()) as ex:

        def run(n):
            futures = [ex.submit(noop, k) for k in range(n)]
            for f in futures:
                f.result()

        value = pipelined(run, n)
    emit("submit-pipelined", "ProcessPoolExecutor", value, "tasks/s")


def submit_mp_pipelined(n):
    with mp.Pool(os.cpu_count()) as pool:

        def run(n):
            results = [pool.apply_async(noop, (k,)) for k in range(n)]
            for r in results:
                r.get()

        value = pipelined(run, n)
    emit("submit-pipelined", "multiprocessing.Pool.apply_async", value, "tasks/s")


def map_mp(n):
    with mp.Pool(os.cpu_count()) as pool:
        pool.map(double, range(1000))  # workers up
        t = time.perf_counter()
        out = pool.map(double, range(n))
        elapsed = time.perf_counter() - t
    assert len(out) == n and out[-1] == 2 * (n - 1)
    emit("map", "multiprocessing.Pool.map", elapsed * 1e3, "ms")


def first_result_mp(_):
    t = time.perf_counter()
    with mp.Pool(os.cpu_count()) as pool:
        pool.apply(noop)
        elapsed = time.perf_counter() - t
    emit("first-result", "multiprocessing.Pool", elapsed * 1e3, "ms")


def first_result_tpe(_):
    t = time.perf_counter()
    with cf.ThreadPoolExecutor(os.cpu_count()) as ex:
        ex.submit(noop).result()
        elapsed = time.perf_counter() - t
    emit("first-result", "ThreadPoolExecutor", elapsed * 1e3, "ms")


def waits_asyncio(n):
    async def one(x):
        await asyncio.sleep(0.1)
        return x

    async def main():
        return await asyncio.gather(*(one(i) for i in range(n)))

    t = time.perf_counter()
    out = asyncio.run(main())
    elapsed = time.perf_counter() - t
    assert len(out) == n
    emit("waits", "asyncio.gather", elapsed * 1e3, "ms")


def waits_tpe(n):
    def one(x):
        time.sleep(0.1)
        return x

    t = time.perf_counter()
    with cf.ThreadPoolExecutor(100) as ex:
        out = list(ex.map(one, range(n)))
    elapsed = time.perf_counter() - t
    assert len(out) == n
    emit("waits", "ThreadPoolExecutor(100)", elapsed * 1e3, "ms")


def _efficiency(run_parallel, n):
    cores = os.cpu_count()
    t = time.perf_counter()
    for _ in range(cores):
        sum_of_squares(n)
    sequential = time.perf_counter() - t
    t = time.perf_counter()
    run_parallel(cores)
    parallel = time.perf_counter() - t
    return 100.0 * (sequential / parallel) / cores


def cpu_processes(n):
    with cf.ProcessPoolExecutor(os.cpu_count()) as ex:
        list(ex.map(noop, range(os.cpu_count())))  # workers up
        eff = _efficiency(lambda k: list(ex.map(sum_of_squares, [n] * k)), n)
    emit("cpu-efficiency", "ProcessPoolExecutor", eff, "%")


def cpu_threads_gil(n):
    with cf.ThreadPoolExecutor(os.cpu_count()) as ex:
        eff = _efficiency(lambda k: list(ex.map(sum_of_squares, [n] * k)), n)
    emit("cpu-efficiency-global-lock", "ThreadPoolExecutor (GIL)", eff, "%")


def memcpy(n):
    src = bytearray(os.urandom(1 << 20)) * n
    dst = bytearray(len(src))
    view = memoryview(dst)
    view[:] = src  # fault the pages in
    t = time.perf_counter()
    rounds = 5
    for _ in range(rounds):
        view[:] = src
    elapsed = time.perf_counter() - t
    emit("memcpy", "memoryview copy", rounds * len(src) / elapsed / 1e9, "GB/s")


def identity(x):
    return x


def arg_ppe(mib):
    data = bytes(mib << 20)
    with cf.ProcessPoolExecutor(1) as ex:
        ex.submit(noop).result()
        ex.submit(identity, bytes(1 << 20)).result()  # warm the path
        t = time.perf_counter()
        back = ex.submit(identity, data).result()
        elapsed = time.perf_counter() - t
    assert len(back) == len(data)
    emit("arg", "ProcessPoolExecutor (pickle)", elapsed * 1e3, "ms")


# ------------------------------------------------------------------------------------------ IPC
# Each starts its processes first and waits until they are ready, so only the exchange is timed.


def _produce(q, go, n):
    msg = bytes(64)
    go.wait()
    for _ in range(n):
        q.put(msg)
    q.put(None)


def _consume(q, go, out):
    go.wait()
    got = 0
    while q.get() is not None:
        got += 1
    out.put(got)


def queue_mp(n):
    """One producer process -> one consumer process (the parent), 64-byte messages."""
    q, go = mp.Queue(), mp.Event()
    p = mp.Process(target=_produce, args=(q, go, n))
    p.start()
    t = time.perf_counter()
    go.set()
    got = 0
    while q.get() is not None:
        got += 1
    elapsed = time.perf_counter() - t
    p.join()
    assert got == n
    emit("queue", "multiprocessing.Queue", n / elapsed, "msg/s")


def queue_mp_4x4(n):
    """4 producer processes x 4 consumer processes, n messages of 64 bytes per producer."""
    q, go, out = mp.Queue(), mp.Event(), mp.Queue()
    producers = [mp.Process(target=_produce, args=(q, go, n)) for _ in range(4)]
    consumers = [mp.Process(target=_consume, args=(q, go, out)) for _ in range(4)]
    for p in producers + consumers:
        p.start()
    time.sleep(0.2)  # let them reach the start line
    t = time.perf_counter()
    go.set()
    total = sum(out.get() for _ in consumers)
    elapsed = time.perf_counter() - t
    for p in producers + consumers:
        p.join()
    assert total == 4 * n
    emit("queue-4x4", "multiprocessing.Queue", 4 * n / elapsed, "msg/s")


def lock_mp(n):
    """Uncontended acquire + release of a multiprocessing.Lock: median ns per pair over batches of 1000."""
    lock = mp.Lock()
    batches = []
    for _ in range(max(1, n // 1000)):
        t = time.perf_counter_ns()
        for _ in range(1000):
            lock.acquire()
            lock.release()
        batches.append((time.perf_counter_ns() - t) / 1000)
    batches.sort()
    emit("lock", "multiprocessing.Lock", percentile(batches, 0.5), "ns")


def rlock_mp(n):
    """Uncontended nested acquire, acquire, release, release of a multiprocessing.RLock: median ns per nest over batches of 1000."""
    lock = mp.RLock()
    batches = []
    for _ in range(max(1, n // 1000)):
        t = time.perf_counter_ns()
        for _ in range(1000):
            lock.acquire()
            lock.acquire()
            lock.release()
            lock.release()
        batches.append((time.perf_counter_ns() - t) / 1000)
    batches.sort()
    emit("rlock", "multiprocessing.RLock", percentile(batches, 0.5), "ns")


def _pong(cond, turn, n):
    with cond:
        for _ in range(n):
            while turn.value != 1:
                cond.wait()
            turn.value = 0
            cond.notify()


def condition_mp(n):
    """Hand-offs through a multiprocessing.Condition, parent <-> child, each waiting for its turn: mean us per round trip."""
    cond, turn = mp.Condition(), mp.Value("i", 0, lock=False)
    warm = 200
    p = mp.Process(target=_pong, args=(cond, turn, warm + n))
    p.start()
    t = 0
    with cond:
        for i in range(warm + n):
            if i == warm:
                t = time.perf_counter()
            turn.value = 1
            cond.notify()
            while turn.value != 0:
                cond.wait()
    elapsed = time.perf_counter() - t
    p.join()
    emit("condition", "multiprocessing.Condition", elapsed / n * 1e6, "us")


def _add(v, go, n):
    go.wait()
    for _ in range(n):
        with v.get_lock():
            v.value += 1


def value_mp(n):
    """Two processes, each n increments of one multiprocessing.Value (under its lock, so it is exact)."""
    v, go = mp.Value("q", 0), mp.Event()
    ps = [mp.Process(target=_add, args=(v, go, n)) for _ in range(2)]
    for p in ps:
        p.start()
    time.sleep(0.2)
    t = time.perf_counter()
    go.set()
    for p in ps:
        p.join()
    elapsed = time.perf_counter() - t
    assert v.value == 2 * n
    emit("counter", "multiprocessing.Value", 2 * n / elapsed, "ops/s")


def _echo(conn):
    while True:
        v = conn.recv()
        conn.send(v)
        if v < 0:
            return


def pipe_mp(n):
    """Round trips of a small int through multiprocessing.Pipe, parent <-> child: mean us."""
    a, b = mp.Pipe()
    p = mp.Process(target=_echo, args=(b,))
    p.start()
    for i in range(1000):
        a.send(i)
        a.recv()
    t = time.perf_counter()
    for i in range(n):
        a.send(i)
        a.recv()
    elapsed = time.perf_counter() - t
    a.send(-1)
    a.recv()
    p.join()
    emit("pipe", "multiprocessing.Pipe", elapsed / n * 1e6, "us")


def _update(d, go, n):
    go.wait()
    for k in range(n):
        key = k % 100
        d[key] = d.get(key, 0) + 1  # two round trips, and not atomic: Python's fastest form


def manager_dict(n):
    """4 processes update one Manager().dict(), n updates each: updates/s."""
    with mp.Manager() as m:
        d, go = m.dict(), mp.Event()
        ps = [mp.Process(target=_update, args=(d, go, n)) for _ in range(4)]
        for p in ps:
            p.start()
        time.sleep(0.3)
        t = time.perf_counter()
        go.set()
        for p in ps:
            p.join()
        elapsed = time.perf_counter() - t
    emit("map", "Manager().dict()", 4 * n / elapsed, "updates/s")


WORKLOADS = {
    "arg-ppe": arg_ppe,
    "submit-tpe": submit_tpe,
    "submit-ppe": submit_ppe,
    "submit-mp": submit_mp_apply_async,
    "submit-ppe-pipelined": submit_ppe_pipelined,
    "submit-mp-pipelined": submit_mp_pipelined,
    "map-mp": map_mp,
    "first-result-mp": first_result_mp,
    "first-result-tpe": first_result_tpe,
    "waits-asyncio": waits_asyncio,
    "waits-tpe": waits_tpe,
    "cpu-processes": cpu_processes,
    "cpu-threads-gil": cpu_threads_gil,
    "memcpy": memcpy,
    "queue-mp": queue_mp,
    "queue-mp-4x4": queue_mp_4x4,
    "lock-mp": lock_mp,
    "rlock-mp": rlock_mp,
    "condition-mp": condition_mp,
    "value-mp": value_mp,
    "pipe-mp": pipe_mp,
    "manager-dict": manager_dict,
}

if __name__ == "__main__":
    name = sys.argv[1]
    arg = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    if name not in WORKLOADS:
        sys.exit("unknown workload %r; known: %s" % (name, ", ".join(sorted(WORKLOADS))))
    WORKLOADS[name](arg)
