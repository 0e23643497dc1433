"""How fast this machine runs Python right now, printed before the benchmarks: their budgets are absolute (ms), so
a figure means little without knowing whether the machine was slow or busy.

The reference is a plain loop of 10 million additions, one core, best of 3. A current laptop or server core does
it in about 0.4–0.6 s; the figures in issue 11 were measured where it took about 0.5 s. On a machine that needs
three times as long, expect the page figures to be about three times theirs; the ratios (sync against its floor,
history against no history) hold on any machine.
"""

from __future__ import annotations

import os
import time

REFERENCE_S = 0.5


def reference_loop() -> float:
    started = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    return time.perf_counter() - started


def main() -> None:
    best = min(reference_loop() for _ in range(3))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Machine: the reference loop took {best:.2f} s (about {best / REFERENCE_S:.1f}x the {REFERENCE_S} s the "
          f"budgets were set on); load average {load:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
