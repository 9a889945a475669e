/** Reading processes from Linux's /proc: children of a process, whether one is alive, its peak resident memory. */
import { readdirSync, readFileSync } from "node:fs";

/** The pids whose parent is `pid`. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the name (field 2) is in parentheses and may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // Gone while listing.
    }
  }
  return out;
}

/** Whether a process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** The command line of a process ("" once it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

/** Samples a process's peak resident memory (VmHWM) until stopped; `peak` is the highest seen, in bytes. */
export function sampleMemory(pid: number, everyMs = 100): { stop(): number; peak: number } {
  const state = { peak: 0 };
  const read = () => {
    try {
      const m = /VmHWM:\s+([0-9]+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) state.peak = Math.max(state.peak, Number(m[1]) * 1024);
    } catch {
      // Gone.
    }
  };
  const timer = setInterval(read, everyMs);
  return {
    get peak() {
      return state.peak;
    },
    stop() {
      clearInterval(timer);
      return state.peak;
    },
  };
}
