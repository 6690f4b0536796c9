"""What the benchmarks share: a PostgreSQL database of their own, and percentiles."""

import subprocess


def recreate_database(name: str) -> None:
    """Drop the benchmark's database if it is there, and create it empty."""
    server = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["dropdb", *server, "--if-exists", name], check=True)
    subprocess.run(["createdb", *server, name], check=True)


def percentile(values, p):
    """The p-th percentile (0–100), interpolated between the nearest ranks."""
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)
