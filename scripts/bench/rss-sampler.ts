/**
 * Peak memory of another process, read from /proc/<pid>/status (Linux). The kernel's high-water mark (VmHWM) is
 * reset through /proc/<pid>/clear_refs before each phase, so the peak covers exactly that phase, including spikes
 * between two samples; polling VmRSS is kept as a cross-check and a fallback where the reset is not allowed.
 */
import { readFileSync, writeFileSync } from "node:fs";

const MiB = 1024 * 1024;

/** VmRSS and VmHWM of a process in bytes. */
export function readMemory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: field("VmRSS"), hwm: field("VmHWM") };
}

/** Peak and starting RSS of one phase, in MiB. */
export interface RssPhase {
  startMiB: number;
  peakMiB: number;
  growthMiB: number;
  /** How the peak was measured: the kernel high-water mark after a reset, or polling only. */
  method: "vmhwm" | "polling";
}

/** Starts watching `pid`; `stop()` returns the phase's peak. */
export function watchRss(pid: number, intervalMs = 20): { stop(): RssPhase } {
  let hwmReset = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
  } catch {
    hwmReset = false;
  }
  const start = readMemory(pid).rss;
  let polled = start;
  const timer = setInterval(() => {
    try {
      polled = Math.max(polled, readMemory(pid).rss);
    } catch {
      // The process ended; the phase will report what was seen.
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const end = readMemory(pid);
      const peak = Math.max(polled, end.rss, hwmReset ? end.hwm : 0);
      return {
        startMiB: start / MiB,
        peakMiB: peak / MiB,
        growthMiB: (peak - start) / MiB,
        method: hwmReset ? "vmhwm" : "polling",
      };
    },
  };
}
