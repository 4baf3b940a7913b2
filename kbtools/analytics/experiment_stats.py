"""The statistics of a fixed-horizon A/B test of proportions, in plain Python (no SciPy needed for these).

- each variant's rate with a 95% Wilson score interval;
- the difference of each variant from the control with Newcombe's hybrid score interval (method 10 of
  Newcombe 1998, built from the two Wilson intervals), and a pooled two-proportion z test;
- a verdict only once every variant has the pre-set minimum sample: the test is planned for that horizon, and
  looking earlier and stopping on the first small p value (peeking) would declare far more false differences
  than the 5% the test promises. Before that, the verdict is "collecting". With more than one challenger the
  significance level is split between them (Bonferroni), so the chance of any false difference stays at 5%.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

ALPHA = 0.05
Z95 = NormalDist().inv_cdf(1 - ALPHA / 2)  # 1.959964...


def wilson(conversions: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion; (0, 1) without trials."""
    if trials == 0:
        return 0.0, 1.0
    p = conversions / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    denominator = 1 + z * z / trials
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


def newcombe(x1: int, n1: int, x2: int, n2: int, z: float = Z95) -> tuple[float, float, float]:
    """(p2 - p1, lower, upper): the difference of two independent proportions, Newcombe's hybrid score interval."""
    p1 = x1 / n1 if n1 else 0.0
    p2 = x2 / n2 if n2 else 0.0
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    difference = p2 - p1
    lower = difference - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    upper = difference + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return difference, max(-1.0, lower), min(1.0, upper)


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """(z, two-sided p value) of the pooled two-proportion z test of p2 against p1."""
    if not n1 or not n2:
        return 0.0, 1.0
    pooled = (x1 + x2) / (n1 + n2)
    error = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if error == 0:
        return 0.0, 1.0
    z = (x2 / n2 - x1 / n1) / error
    return z, 2 * (1 - NormalDist().cdf(abs(z)))


def sample_size(p1: float, p2: float, alpha: float = ALPHA, power: float = 0.8) -> int:
    """Units per variant a two-sided two-proportion test needs to detect p1 -> p2 with `power`."""
    normal = NormalDist()
    z_alpha, z_beta = normal.inv_cdf(1 - alpha / 2), normal.inv_cdf(power)
    mean = (p1 + p2) / 2
    numerator = z_alpha * math.sqrt(2 * mean * (1 - mean)) + z_beta * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil(numerator**2 / (p1 - p2) ** 2)


@dataclass(frozen=True)
class Arm:
    """One variant's counts: units exposed, units counted by the metric (trials) and conversions among them."""

    variant: str
    exposures: int
    trials: int
    conversions: int

    @property
    def rate(self) -> float | None:
        return self.conversions / self.trials if self.trials else None


@dataclass(frozen=True)
class Comparison:
    variant: str  # against the control
    difference: float
    lower: float
    upper: float
    z: float
    p_value: float
    significant: bool  # at the (split) level, once the sample is reached


COLLECTING = "collecting"
NO_DIFFERENCE = "no_difference"
BETTER = "better"
WORSE = "worse"


def compare(
    arms: list[Arm], min_sample: int, higher_is_better: bool = True
) -> tuple[list[Comparison], str, str | None]:
    """Each challenger against the control (the first arm), and the verdict: (comparisons, verdict, winner).

    The verdict is "collecting" until every arm has `min_sample` trials; then "better"/"worse" when a challenger
    differs from the control at the 5% level shared between the challengers (the best such one is the winner:
    a challenger, or the control when every significant challenger is worse), else "no_difference".
    """
    control, challengers = arms[0], arms[1:]
    level = ALPHA / max(1, len(challengers))
    reached = all(arm.trials >= min_sample for arm in arms)
    comparisons = []
    for arm in challengers:
        difference, lower, upper = newcombe(control.conversions, control.trials, arm.conversions, arm.trials)
        z, p_value = two_proportion_z(control.conversions, control.trials, arm.conversions, arm.trials)
        comparisons.append(Comparison(arm.variant, difference, lower, upper, z, p_value, reached and p_value < level))
    if not reached:
        return comparisons, COLLECTING, None
    sign = 1 if higher_is_better else -1
    better = [c for c in comparisons if c.significant and sign * c.difference > 0]
    if better:
        return comparisons, BETTER, max(better, key=lambda c: sign * c.difference).variant
    if any(c.significant for c in comparisons):
        return comparisons, WORSE, control.variant
    return comparisons, NO_DIFFERENCE, None
