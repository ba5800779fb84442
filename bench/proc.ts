/**
 * What Linux tells about a process in /proc: its memory and the CPU time it used. Every reader answers undefined
 * (or 0) rather than throwing when a process is gone or /proc is not there, so that measuring never stops a run.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

// USER_HZ, the unit of /proc/<pid>/stat's times, is 100 on every Linux architecture Node runs on.
const TICKS_PER_SECOND = 100;

export interface Memory {
  rssMb: number;
  /** VmHWM: the most resident memory since the process started or since resetPeakMemory. */
  peakMb: number;
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function kilobytesField(status: string, name: string): number | undefined {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : undefined;
}

export function memoryOf(pid: number): Memory | undefined {
  const status = readOrUndefined(`/proc/${pid}/status`);
  if (status === undefined) return undefined;
  const rss = kilobytesField(status, 'VmRSS');
  const peak = kilobytesField(status, 'VmHWM');
  return rss === undefined || peak === undefined ? undefined : { rssMb: rss / 1024, peakMb: peak / 1024 };
}

/** Sets VmHWM back to the current RSS (Linux 4.0+), so that the next peak is that of the work that follows. */
export function resetPeakMemory(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export function commandLineOf(pid: number): string | undefined {
  return readOrUndefined(`/proc/${pid}/cmdline`)?.split('\0').join(' ').trim();
}

/** The fields of /proc/<pid>/stat after the command name, which may itself hold spaces and parentheses. */
function statFields(pid: number | string): { command: string; fields: string[] } | undefined {
  const stat = readOrUndefined(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  return { command: stat.slice(open + 1, close), fields: stat.slice(close + 2).split(' ') };
}

/** utime + stime (+ cutime + cstime: the CPU of children it has reaped, such as Postgres backends that ended). */
function cpuTicks(fields: readonly string[], withReapedChildren: boolean): number {
  // Counted from the state field (index 0): utime is field 14 of the file, i.e. index 11 here.
  const at = (index: number) => Number(fields[index] ?? 0);
  return at(11) + at(12) + (withReapedChildren ? at(13) + at(14) : 0);
}

export function cpuSecondsOf(pid: number): number | undefined {
  const stat = statFields(pid);
  return stat === undefined ? undefined : cpuTicks(stat.fields, false) / TICKS_PER_SECOND;
}

/** CPU seconds of every process on this machine whose name starts with the given one ("postgres", "temporal"). */
export function cpuSecondsOfProcessesNamed(name: string): number {
  let ticks = 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    const stat = statFields(pid);
    if (stat?.command.startsWith(name)) ticks += cpuTicks(stat.fields, true);
  }
  return ticks / TICKS_PER_SECOND;
}
