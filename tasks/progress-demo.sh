#!/usr/bin/env bash
# Reports its progress to taskrun: a line "::progress PERCENT [message]" is left out of the log and
# shown as a bar, with the message and the time left, on the run page and in the task list.
steps=(download unpack "check signatures" "load rows" index "clean up")
total=${#steps[@]}
for i in "${!steps[@]}"; do
  step=${steps[$i]}
  echo "::progress $(( i * 100 / total )) ${step}"
  echo "step $(( i + 1 ))/${total}: ${step}…"
  sleep 2
done
echo "::progress 100 done"
echo "all ${total} steps done"
