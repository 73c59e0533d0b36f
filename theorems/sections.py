"""The post's section titles, in the post's order: the one place a claim's ``section`` comes from.

A claim is filed under the section of the post whose sentence it checks; the chapters, the
tests per section and the report's grouping all name a section through these constants.
"""

from __future__ import annotations

__all__ = [
    "OVER_PARAMETERIZATION",
    "GRADIENT_DYNAMICS",
    "VARIETY",
    "TAKEAWAYS",
    "GENERAL_VIEW",
    "CANONICAL",
    "GRADIENT_FIELDS",
    "FURTHER_READING",
    "SECTIONS",
]

OVER_PARAMETERIZATION = "Over-Parameterization"
GRADIENT_DYNAMICS = "Gradient Dynamics Between Spaces"
VARIETY = "A Variety of Parametric Gradients"
TAKEAWAYS = "Take-Aways From the Linear Example"
GENERAL_VIEW = "A More General View"
CANONICAL = "Why the Canonical Gradient Is So Canonical"
GRADIENT_FIELDS = "Exploring Parameterizations and Gradient Fields"
FURTHER_READING = "Further Reading"

#: every section that holds built-in claims, in the post's order
SECTIONS = (
    OVER_PARAMETERIZATION,
    GRADIENT_DYNAMICS,
    VARIETY,
    TAKEAWAYS,
    GENERAL_VIEW,
    CANONICAL,
    GRADIENT_FIELDS,
    FURTHER_READING,
)
