import { readFile, readlink } from 'node:fs/promises';
import { hostname } from 'node:os';

/** Who holds a lock: pid and hostname for people to read, the rest to tell whether that pid can be checked from here. */
export interface ProcessIdentity {
  pid: number;
  hostname: string;
  /** The running kernel's boot id (`/proc/sys/kernel/random/boot_id`, shared by every container of a host); null off Linux. */
  bootId: string | null;
  /** The PID namespace, e.g. `pid:[4026531836]` (`/proc/self/ns/pid`); null off Linux. */
  pidNamespace: string | null;
  /** When the process started, in clock ticks since boot (`/proc/<pid>/stat` field 22); null off Linux. */
  processStart: string | null;
}

/** Reads this process's identity; the Linux-only parts are null where /proc does not show this process's own namespace. */
export async function readOwnIdentity(): Promise<ProcessIdentity> {
  const unknown = { pid: process.pid, hostname: hostname(), bootId: null, pidNamespace: null, processStart: null };
  if (process.platform !== 'linux') return unknown;
  try {
    const [bootId, pidNamespace, stat] = await Promise.all([
      readFile('/proc/sys/kernel/random/boot_id', 'utf8'),
      readlink('/proc/self/ns/pid'),
      readFile('/proc/self/stat', 'utf8'),
    ]);
    // A /proc mounted for another PID namespace shows this process under another pid: its pids would mislead.
    if (Number(stat.slice(0, stat.indexOf(' '))) !== process.pid) return unknown;
    const processStart = readStartField(stat);
    return processStart ? { ...unknown, bootId: bootId.trim(), pidNamespace, processStart } : unknown;
  } catch {
    return unknown;
  }
}

/**
 * Whether the process `pid` of this PID namespace is running; a zombie (exited, not yet collected by its parent) is
 * not. Given the start time it had (`processStart`, as {@link readOwnIdentity} reads it), a later process that reused
 * the pid is not either; that check needs /proc, and it throws when /proc cannot show the process.
 */
export async function isProcessAlive(pid: number, processStart?: string): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    // Signal 0 only asks whether the process exists; EPERM: it does, under another user (same container, other uid).
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = process.platform === 'linux' ? await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null) : null;
  if (stat === null) {
    // No /proc here, or one that hides other users' processes: the signal's answer stands, but no start time can be read.
    if (processStart === undefined) return true;
    throw new Error(`cannot read /proc/${pid}/stat to learn when process ${pid} started`);
  }
  // A zombie (Z) or dying (X) process has exited: only its parent has not collected it yet.
  if (/^[ZX]$/.test(readFields(stat)[0] ?? '')) return false;
  if (processStart === undefined) return true;
  const start = readStartField(stat);
  if (!start) throw new Error(`/proc/${pid}/stat has no start time`);
  return start === processStart;
}

/** The fields of a `/proc/<pid>/stat` line from field 3 (the state) on. */
function readFields(stat: string): string[] {
  // The command name (field 2) is in parentheses and may itself hold spaces or parentheses: count after the last one.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function readStartField(stat: string): string | null {
  const start = readFields(stat)[19];
  return start && /^\d+$/.test(start) ? start : null;
}
