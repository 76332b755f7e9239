"""`nox -s bench`: benchmarks and reliability figures, as ratios against same-run baselines.

These machines are shared and noisy, so no absolute time is compared with anything: each figure
interleaves rounds of ours and of a baseline measured in the same run, and reports the ratio's
min/median/max over the rounds, next to the issue's target and whether it is met.
"""
