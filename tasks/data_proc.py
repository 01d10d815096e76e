"""Processes a batch of generated records over about ten seconds, reporting its progress as it goes.

A line "::progress PERCENT [message]" is not part of the log: taskrun shows it as a progress bar with
the message and the time left (flush=True, or PYTHONUNBUFFERED, which taskrun sets, so it arrives at once).
"""
import hashlib
import random
import statistics
import time

BATCHES = 10
PER_BATCH = 20_000

random.seed(42)
totals = []
started = time.monotonic()
for batch in range(1, BATCHES + 1):
    print(f"::progress {(batch - 1) * 100 // BATCHES} batch {batch} of {BATCHES}", flush=True)
    values = [random.gauss(100, 15) for _ in range(PER_BATCH)]
    digest = hashlib.sha256(",".join(f"{v:.3f}" for v in values[:1000]).encode()).hexdigest()[:12]
    mean = statistics.fmean(values)
    totals.append(mean)
    print(f"batch {batch}/{BATCHES}: {PER_BATCH} records, mean {mean:.2f}, stdev {statistics.pstdev(values):.2f}, digest {digest}")
    # Pace the work so a viewer can watch it arrive.
    time.sleep(max(0.0, batch * 1.0 - (time.monotonic() - started)))

print("::progress 100 done")
print(f"done: {BATCHES * PER_BATCH} records, overall mean {statistics.fmean(totals):.2f}")
