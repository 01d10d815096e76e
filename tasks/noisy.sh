#!/usr/bin/env bash
# Coloured output on stdout and stderr, to show ANSI colours in the log view.
for i in 1 2 3 4 5; do
  printf '\033[32mINFO\033[0m  step %d of 5 on stdout\n' "$i"
  printf '\033[1;33mWARN\033[0m  step %d: a warning on stderr\n' "$i" >&2
  sleep 0.3
done
printf '\033[1;31mERROR\033[0m a red line on stderr (the run still succeeds)\n' >&2
printf '\033[38;5;208m256-colour orange\033[0m and \033[38;2;80;160;255mtruecolor blue\033[0m\n'
