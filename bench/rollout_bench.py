"""Roll-out plan optimiser at the scale of a German Land (Mecklenburg-Vorpommern style).

Standalone, no Django and no database: ``.venv/bin/python bench/rollout_bench.py``.
Generates a seeded random instance and times ``digileap.allocation.optimizer.plan_rollout``:

- ``--schools`` schools (default 5,000) of ``--operators`` operators (default 300) whose sizes are
  skewed (a few large operators, a long tail of one- and two-school ones, as in a Land where the
  counties and big towns run most schools);
- ``--periods`` years (default 4), each with the same cap, so that about ``--fits`` (default 85 %)
  of the total cost fits over all years;
- costs from 5,000 to 60,000 EUR in cents (larger schools cost more), priorities from a
  socio-economic-like index (1.0 to 5.0, two decimals, skewed towards the middle);
- 2 % of the schools pinned to a random year (never more than the operator limit allows);
- at most ``--max-periods-per-group`` (default 2) years per operator; gap ``--gap`` (0.001).

Prints one JSON line (with ``--repeat N``, one per run). Nothing is asserted (see bench/README.md).
"""

import argparse
import json
import random
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digileap.allocation.optimizer import Period, School, plan_rollout  # noqa: E402


def make_instance(
    *, schools: int, operators: int, periods: int, fits: float, pinned_share: float, limit: int, seed: int
) -> tuple[list[Period], list[School]]:
    rng = random.Random(seed)
    # Operator sizes: Zipf-like weights, so the largest operators hold a few hundred schools.
    operator_weights = [1 / (rank + 1) ** 0.9 for rank in range(operators)]
    operator_of = rng.choices(range(operators), weights=operator_weights, k=schools)
    rows = []
    for i in range(schools):
        size = rng.betavariate(2, 5)  # a school's size, 0..1, most of them small
        cost_euros = 5_000 + round(55_000 * min(1.0, size * rng.uniform(0.7, 1.3)))
        index = Decimal(str(round(1 + 4 * rng.betavariate(2.5, 2.5), 2)))
        rows.append((f"S{i:05d}", cost_euros * 100, index, f"OP{operator_of[i]:03d}"))
    total = sum(cost for _, cost, _, _ in rows)
    cap = int(total * fits / periods)
    pinned_at: dict[int, int] = {}
    operator_pins: dict[str, set[int]] = {}
    for i in rng.sample(range(schools), k=round(schools * pinned_share)):
        used = operator_pins.setdefault(rows[i][3], set())
        year = rng.choice(sorted(used)) if len(used) >= limit else rng.randrange(periods)
        used.add(year)
        pinned_at[i] = year
    school_list = [
        School(key=key, cost=cost, priority=index, group=group, pinned=pinned_at.get(i))
        for i, (key, cost, index, group) in enumerate(rows)
    ]
    return [Period(cap=cap, label=2026 + t) for t in range(periods)], school_list


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=5_000)
    parser.add_argument("--operators", type=int, default=300)
    parser.add_argument("--periods", type=int, default=4)
    parser.add_argument("--fits", type=float, default=0.85)
    parser.add_argument("--pinned", type=float, default=0.02)
    parser.add_argument("--max-periods-per-group", type=int, default=2)
    parser.add_argument("--gap", type=float, default=0.001)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    periods, schools = make_instance(
        schools=args.schools,
        operators=args.operators,
        periods=args.periods,
        fits=args.fits,
        pinned_share=args.pinned,
        limit=args.max_periods_per_group,
        seed=args.seed,
    )
    for _ in range(args.repeat):
        result = plan_rollout(
            periods,
            schools,
            max_periods_per_group=args.max_periods_per_group,
            relative_gap=args.gap,
            time_limit=args.time_limit,
        )
        assigned = sum(1 for t in result.assignment.values() if t is not None)
        print(
            json.dumps(
                {
                    "schools": len(schools),
                    "periods": len(periods),
                    "operators": len({s.group for s in schools}),
                    "seconds": round(result.seconds, 3),
                    "build_seconds": round(result.build_seconds, 3),
                    "solve_seconds": round(result.solve_seconds, 3),
                    "gap": result.mip_gap,
                    "status": result.status,
                    "method": result.method,
                    "objective": round(result.objective, 3),
                    "dual_bound": None if result.dual_bound is None else round(result.dual_bound, 3),
                    "assigned": assigned,
                    "left_out": dict(sorted(Counter(result.reasons.values()).items())),
                    "budget_used": round(sum(p.cost for p in result.periods) / sum(p.cap or 0 for p in periods), 4),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
