"""Fails on purpose: prints to stderr and exits with code 1."""
import sys

print("starting a task that will fail")
print("error: something went wrong (on purpose)", file=sys.stderr)
sys.exit(1)
