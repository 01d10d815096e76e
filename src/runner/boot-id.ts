import fs from 'node:fs';

/** This kernel boot's id: a pid means the same process only within one boot. */
export function readBootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}
