"""Apportionment: split a whole number (units, or cents) over items in proportion to weights.

Pure functions, no database. Every quota is computed with exact integer arithmetic (weights are
turned into integers over a common denominator), so the same inputs give the same result on
every machine.

The result is defined in two steps:

1. **Bounded quotas.** Find the scale ``lam`` such that ``clamp(lam * weight, floor, cap)``
   adds up to the total (water-filling). Items clamped at their cap free up units for the others,
   items lifted to their floor take units from them. This is computed by iteration: fix the items
   whose quota breaks a limit at that limit and share the rest again, until nothing breaks one.
   Every fixed item is provably bound at the final ``lam``, so the iteration ends with the exact
   solution after at most ``len(weights)`` rounds (usually two or three).
2. **Rounding** to whole numbers:

   * ``"largest_remainder"`` (Hamilton, the default): every free item gets the integer part of its
     quota; the units left go one each to the largest remainders.
   * ``"sainte_lague"`` (Webster): a divisor method, ``clamp(round(weight / d), floor, cap)``
     for a divisor ``d`` that makes the sum right. It is house-monotone (a larger total never
     lowers a share, so it has no Alabama paradox).

Ties (equal remainders, equal Sainte-Laguë priorities) go to the smaller ``tie_keys`` value,
then to the smaller index. Weights can be ``int``, ``Decimal``, ``Fraction`` or ``float`` (a
float is taken at its exact binary value; prefer ``Decimal`` for figures people typed).

Raising one item's weight (same total) never lowers its share under either method: its bounded
quota can only rise, and under largest remainder any item that overtakes it in remainder does so
only by dropping an integer part, which frees exactly one more unit for the remainders.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

Method = Literal["largest_remainder", "sainte_lague"]
Bound = Literal["floor", "cap"]
METHODS: tuple[str, ...] = ("largest_remainder", "sainte_lague")
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Share:
    """One item's result and why it is what it is."""

    index: int
    weight: Fraction
    # total * weight / sum of weights, before any floor or cap.
    raw_quota: Fraction
    # The exact quota after floors and caps (water-filling); the shares round this.
    quota: Fraction
    amount: int
    # Which limit set the amount: "floor", "cap", or None when the weight did.
    bound: Bound | None
    # Largest remainder only: 1-based rank of the item's remainder among the items not bound
    # (ties by tie key, then index); the first ``extra_units`` ranks got one unit more.
    remainder_rank: int | None
    # True when the item got one unit above the integer part of its quota.
    rounded_up: bool


@dataclass(frozen=True, slots=True)
class _Problem:
    total: int
    weights: list[int]  # scaled to integers, same ratios
    fractions: list[Fraction]
    floors: list[int]
    caps: list[int | None]
    tie_rank: list[int]  # position of each item in the (tie key, index) order


def _to_fraction(value: Any, what: str, i: int) -> Fraction:
    if isinstance(value, bool):
        raise ValueError(f"{what}[{i}] must be a number, not {value!r}")
    try:
        result = Fraction(value)
    except (TypeError, ValueError, OverflowError) as exc:  # NaN, infinity, text
        raise ValueError(f"{what}[{i}] must be a finite number, not {value!r}") from exc
    if result < 0:
        raise ValueError(f"{what}[{i}] must not be negative, got {value!r}")
    return result


def _to_int(value: Any, what: str, i: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what}[{i}] must be a whole number, not {value!r}")
    if value < 0:
        raise ValueError(f"{what}[{i}] must not be negative, got {value}")
    return value


def _prepare(
    total: int,
    weights: Sequence[Any],
    floors: Sequence[int | None] | None,
    caps: Sequence[int | None] | None,
    tie_keys: Sequence[Any] | None,
    method: str,
) -> _Problem:
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ValueError(f"total must be a whole number >= 0, not {total!r}")
    n = len(weights)
    for name, seq in (("floors", floors), ("caps", caps), ("tie_keys", tie_keys)):
        if seq is not None and len(seq) != n:
            raise ValueError(f"{name} has {len(seq)} entries but there are {n} weights")

    fractions = [_to_fraction(w, "weights", i) for i, w in enumerate(weights)]
    common = math.lcm(*(f.denominator for f in fractions)) if fractions else 1
    scaled = [f.numerator * (common // f.denominator) for f in fractions]

    floor_list = [0 if floors is None or floors[i] is None else _to_int(floors[i], "floors", i) for i in range(n)]
    cap_list: list[int | None] = [
        None if caps is None or caps[i] is None else _to_int(caps[i], "caps", i) for i in range(n)
    ]
    for i in range(n):
        cap = cap_list[i]
        if cap is not None and floor_list[i] > cap:
            raise ValueError(f"item {i}: floor {floor_list[i]} is above its cap {cap}")

    floor_sum = sum(floor_list)
    if floor_sum > total:
        raise ValueError(f"the floors add up to {floor_sum}, more than the total {total}")
    # What the items can hold: a weighted item up to its cap, a zero-weight item only its floor.
    if not any(w > 0 and cap_list[i] is None for i, w in enumerate(scaled)):
        capacity = sum(cap_list[i] if w > 0 else floor_list[i] for i, w in enumerate(scaled))  # type: ignore[misc]
        if capacity < total:
            raise ValueError(
                f"the caps can absorb at most {capacity} (caps of the items with a weight, "
                f"floors of those without), less than the total {total}"
            )

    if tie_keys is None:
        order = list(range(n))
    else:
        order = sorted(range(n), key=lambda i: (tie_keys[i], i))
    tie_rank = [0] * n
    for rank, i in enumerate(order):
        tie_rank[i] = rank
    return _Problem(total, scaled, fractions, floor_list, cap_list, tie_rank)


def _water_fill(p: _Problem) -> tuple[int, int, list[Bound | None]]:
    """Return (numerator, denominator) of the scale ``lam`` and the bound of each item.

    A free item's quota is ``num * weight / den``; a bound item's quota is its floor or cap.
    """
    n = len(p.weights)
    bound: list[Bound | None] = [None] * n
    free = []
    for i, w in enumerate(p.weights):
        if w == 0:
            bound[i] = "floor"  # a zero weight sits at its floor (0 unless a floor says more)
        else:
            free.append(i)
    while True:
        fixed = sum(
            p.floors[i] if b == "floor" else p.caps[i]  # type: ignore[misc]
            for i, b in enumerate(bound)
            if b is not None
        )
        rest = p.total - fixed
        weight_sum = sum(p.weights[i] for i in free)
        if weight_sum == 0:
            return 0, 1, bound
        # In units of 1/weight_sum: quota_i = rest * w_i / weight_sum.
        over: list[int] = []
        under: list[int] = []
        excess = deficit = 0
        for i in free:
            scaled_quota = rest * p.weights[i]
            cap = p.caps[i]
            if cap is not None and scaled_quota > cap * weight_sum:
                over.append(i)
                excess += scaled_quota - cap * weight_sum
            elif scaled_quota < p.floors[i] * weight_sum:
                under.append(i)
                deficit += p.floors[i] * weight_sum - scaled_quota
        if not over and not under:
            return rest, weight_sum, bound
        # More excess than deficit: the final scale is larger, so the capped stay capped.
        if excess >= deficit:
            for i in over:
                bound[i] = "cap"
        if deficit >= excess:
            for i in under:
                bound[i] = "floor"
        free = [i for i in free if bound[i] is None]


def _limit(p: _Problem, i: int, b: Bound) -> int:
    return p.floors[i] if b == "floor" else p.caps[i]  # type: ignore[return-value]


def _largest_remainder(p: _Problem, num: int, den: int, bound: list[Bound | None]):
    n = len(p.weights)
    amounts = [0] * n
    remainders: dict[int, int] = {}
    for i in range(n):
        b = bound[i]
        if b is not None:
            amounts[i] = _limit(p, i, b)
        else:
            amounts[i], remainders[i] = divmod(num * p.weights[i], den)
    extra = p.total - sum(amounts)
    ranked = sorted(remainders, key=lambda i: (-remainders[i], p.tie_rank[i]))
    rank = {i: r + 1 for r, i in enumerate(ranked)}
    for i in ranked[:extra]:
        amounts[i] += 1
    return amounts, rank


def _sainte_lague(p: _Problem, num: int, den: int, bound: list[Bound | None]) -> list[int]:
    """Divisor method with rounding at halves, started from the water-filling scale.

    At divisor d0 = den/num every item gets clamp(round_half_down(quota)); that is a valid
    Sainte-Laguë apportionment of its own sum, which then moves to the total one unit at a time
    by priority weight / (seats + 1/2) (adding) or weight / (seats - 1/2) (removing).
    """
    n = len(p.weights)
    seats = [0] * n
    for i in range(n):
        w = p.weights[i]
        if w == 0 or num == 0:
            s = 0
        else:
            twice = 2 * num * w  # 2 * quota * den
            s = -((den - twice) // (2 * den))  # ceil(quota - 1/2): halves round down
        cap = p.caps[i]
        seats[i] = max(p.floors[i], s if cap is None else min(cap, s))
    diff = p.total - sum(seats)
    if diff > 0:
        heap = [
            (-Fraction(2 * p.weights[i], 2 * seats[i] + 1), p.tie_rank[i], i)
            for i in range(n)
            if p.weights[i] > 0 and ((item_cap := p.caps[i]) is None or seats[i] < item_cap)
        ]
        heapq.heapify(heap)
        for _ in range(diff):
            _, _, i = heapq.heappop(heap)
            seats[i] += 1
            if p.caps[i] is None or seats[i] < p.caps[i]:  # type: ignore[operator]
                heapq.heappush(heap, (-Fraction(2 * p.weights[i], 2 * seats[i] + 1), p.tie_rank[i], i))
    elif diff < 0:
        heap = [
            (Fraction(2 * p.weights[i], 2 * seats[i] - 1), -p.tie_rank[i], i)
            for i in range(n)
            if seats[i] > p.floors[i]
        ]
        heapq.heapify(heap)
        for _ in range(-diff):
            _, _, i = heapq.heappop(heap)
            seats[i] -= 1
            if seats[i] > p.floors[i]:
                heapq.heappush(heap, (Fraction(2 * p.weights[i], 2 * seats[i] - 1), -p.tie_rank[i], i))
    return seats


def apportion_explained(
    total: int,
    weights: Sequence[int | float | Decimal | Fraction],
    *,
    floors: Sequence[int | None] | None = None,
    caps: Sequence[int | None] | None = None,
    method: Method = "largest_remainder",
    tie_keys: Sequence[Any] | None = None,
) -> list[Share]:
    """Like :func:`apportion`, but every item says how its amount came about."""
    p = _prepare(total, weights, floors, caps, tie_keys, method)
    n = len(p.weights)
    if n == 0:
        if total:
            raise ValueError(f"there are no items to share the total {total} over")
        return []
    num, den, bound = _water_fill(p)
    quotas = [
        Fraction(_limit(p, i, item_bound))
        if (item_bound := bound[i]) is not None
        else Fraction(num * p.weights[i], den)
        for i in range(n)
    ]
    rank: dict[int, int] = {}
    if method == "largest_remainder":
        amounts, rank = _largest_remainder(p, num, den, bound)
    else:
        amounts = _sainte_lague(p, num, den, bound)
    weight_sum = sum(p.weights)
    shares = []
    for i in range(n):
        b = bound[i]
        if b is not None and amounts[i] != _limit(p, i, b):
            b = None  # Sainte-Laguë moved it off the limit its quota touched
        if b == "floor" and p.floors[i] == 0:
            b = None  # a zero weight at a zero floor: nothing bound it
        raw = Fraction(total * p.weights[i], weight_sum) if weight_sum else Fraction(0)
        shares.append(
            Share(
                index=i,
                weight=p.fractions[i],
                raw_quota=raw,
                quota=quotas[i],
                amount=amounts[i],
                bound=b,
                remainder_rank=rank.get(i),
                rounded_up=amounts[i] > math.floor(quotas[i]),
            )
        )
    return shares


def apportion(
    total: int,
    weights: Sequence[int | float | Decimal | Fraction],
    *,
    floors: Sequence[int | None] | None = None,
    caps: Sequence[int | None] | None = None,
    method: Method = "largest_remainder",
    tie_keys: Sequence[Any] | None = None,
) -> list[int]:
    """Split ``total`` into whole numbers proportional to ``weights`` that add up to ``total``.

    ``floors[i]``: item i gets at least this many; ``caps[i]``: never more (``None`` entries, or
    no list, mean no limit). What a cap frees up goes to the other items in proportion. A zero
    weight gets its floor (0 without one). Raises ``ValueError`` naming the numbers when the
    floors add up to more than the total or the caps cannot hold it.
    """
    return [
        s.amount
        for s in apportion_explained(total, weights, floors=floors, caps=caps, method=method, tie_keys=tie_keys)
    ]


def _cents(value: Decimal | int | None, what: str, i: int | None = None) -> int | None:
    if value is None:
        return None
    where = what if i is None else f"{what}[{i}]"
    if isinstance(value, float | bool) or not isinstance(value, Decimal | int):
        raise ValueError(f"{where} must be a Decimal amount, not {value!r}")
    amount = Decimal(value)
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValueError(f"{where} must be a whole number of cents, not {value}")
    return int(amount * 100)


def apportion_money_explained(
    total: Decimal,
    weights: Sequence[int | float | Decimal | Fraction],
    *,
    floors: Sequence[Decimal | None] | None = None,
    caps: Sequence[Decimal | None] | None = None,
    method: Method = "largest_remainder",
    tie_keys: Sequence[Any] | None = None,
) -> list[Share]:
    """Like :func:`apportion_money`; the shares count cents."""
    cents = _cents(total, "total")
    assert cents is not None
    return apportion_explained(
        cents,
        weights,
        floors=None if floors is None else [_cents(f, "floors", i) for i, f in enumerate(floors)],
        caps=None if caps is None else [_cents(c, "caps", i) for i, c in enumerate(caps)],
        method=method,
        tie_keys=tie_keys,
    )


def apportion_money(
    total: Decimal,
    weights: Sequence[int | float | Decimal | Fraction],
    *,
    floors: Sequence[Decimal | None] | None = None,
    caps: Sequence[Decimal | None] | None = None,
    method: Method = "largest_remainder",
    tie_keys: Sequence[Any] | None = None,
) -> list[Decimal]:
    """Split an amount of money to the cent; the amounts add up exactly to ``total``."""
    shares = apportion_money_explained(total, weights, floors=floors, caps=caps, method=method, tie_keys=tie_keys)
    return [(Decimal(s.amount) / 100).quantize(CENT) for s in shares]
