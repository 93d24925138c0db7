"""The analysis windows of an edge, fitted to the energy range a spectrum was recorded over.

The edge table (:mod:`interphase.eels.edges`) holds each element's default windows; a
spectrum recorded over another range (e.g. 600-820 eV at 0.25 eV/channel, a common GIF
setting for Mn and Co) may not hold all of them. The white-line windows (L3, L2) must lie
inside the spectrum. The other two adapt:

- ``pre`` (the power-law background fit) is cut at the first channel when the spectrum
  starts inside it; it must keep at least PRE_MIN_WIDTH_EV.
- ``post`` (the continuum that scales Pearson's double step) is cut at the last channel when
  the spectrum ends inside it, and moved down towards the edge when that leaves less than
  POST_PREFERRED_WIDTH_EV, but never closer than POST_MIN_GAP_EV to the L2 maximum (the
  L2 white line and its tail must have died away). It must keep at least
  POST_MIN_WIDTH_EV: a spectrum must reach POST_MIN_GAP_EV + POST_MIN_WIDTH_EV (15 eV)
  past the L2 maximum.

An edge whose windows cannot be placed this way is not measured, with the reason; windows
that differ from the defaults are named in a note. A continuum window closer to the edge
changes Pearson's step height where the continuum is not flat: compare ratios measured with
the same windows (docs/eels.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from interphase.eels.edges import Edge

# Narrowest power-law fitting window (eV); the table's are 28-35 eV. The extrapolation error
# grows as the fitting window shrinks against the range extrapolated over (Egerton 2011,
# Sec. 4.4.2); 10 eV is a project choice.
PRE_MIN_WIDTH_EV = 10.0
# Closest the continuum window may start to the L2 maximum (eV): about three FWHM of an L2
# white line (3-4 eV in oxides, Wang et al., Micron 31, 571 (2000)) past it.
POST_MIN_GAP_EV = 10.0
# Width aimed at when the continuum window has to move (eV), and the narrowest accepted.
POST_PREFERRED_WIDTH_EV = 10.0
POST_MIN_WIDTH_EV = 5.0


@dataclass(frozen=True)
class Windows:
    """The edge with the windows used, or why it cannot be measured, and what changed."""

    edge: Edge | None
    reason: str = ""
    note: str = ""


def _text(window: tuple[float, float]) -> str:
    """'815-840 eV'."""
    return f"{window[0]:.4g}-{window[1]:.4g} eV"


def fit_pre(e: Edge, lo: float) -> tuple[tuple[float, float] | None, str]:
    """The pre-edge window inside a spectrum starting at ``lo`` eV, or None and why."""
    start, end = max(e.pre[0], lo), e.pre[1]
    if end - start < PRE_MIN_WIDTH_EV:
        return None, (
            f"the pre-edge background window would be {max(end - start, 0):.3g} eV wide "
            f"({_text((start, end))}, the spectrum starts at {lo:.4g} eV; "
            f"at least {PRE_MIN_WIDTH_EV:g} eV needed)"
        )
    return (start, end), ""


def fit_post(e: Edge, hi: float) -> tuple[tuple[float, float] | None, str]:
    """The post-edge continuum window inside a spectrum ending at ``hi`` eV, or None and why."""
    end = min(e.post[1], hi)
    start = e.post[0]
    if end - start < POST_PREFERRED_WIDTH_EV:
        start = max(min(start, end - POST_PREFERRED_WIDTH_EV), e.l2_max + POST_MIN_GAP_EV)
    start = max(start, e.l2[1])
    if end - start < POST_MIN_WIDTH_EV:
        need = e.l2_max + POST_MIN_GAP_EV + POST_MIN_WIDTH_EV
        return None, (
            f"the spectrum ends at {hi:.4g} eV, {hi - e.l2_max:.3g} eV past the L2 maximum "
            f"({e.l2_max:.4g} eV): a post-edge continuum needs the spectrum to reach "
            f"{need:.4g} eV"
        )
    return (start, end), ""


def fit_windows(e: Edge, lo: float, hi: float) -> Windows:
    """The edge's windows fitted into the recorded range lo-hi (eV): see the module docstring."""
    if e.l3[0] < lo or e.l2[1] > hi:
        where = "below" if e.l3[0] < lo else "above"
        return Windows(
            None,
            reason=(
                f"the {e.element} L2,3 white lines ({_text((e.l3[0], e.l2[1]))}) lie {where} the "
                f"recorded range {lo:.4g}-{hi:.4g} eV"
            ),
        )
    pre, why = fit_pre(e, lo)
    if pre is None:
        return Windows(None, reason=why)
    post, why = fit_post(e, hi)
    if post is None:
        return Windows(None, reason=why)
    changes = [
        f"{name} window {_text(new)} instead of {_text(old)}"
        for name, new, old in (("pre-edge", pre, e.pre), ("post-edge", post, e.post))
        if new != old
    ]
    note = f"{'; '.join(changes)} (recorded range {lo:.4g}-{hi:.4g} eV)"
    return Windows(replace(e, pre=pre, post=post), note=note if changes else "")
