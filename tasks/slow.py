"""Runs until it is stopped (cancel it, or let the timeout end it), printing a heartbeat every second."""
import itertools
import time

for n in itertools.count(1):
    print(f"still working... {n} s", flush=True)
    time.sleep(1)
